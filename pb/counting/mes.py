"""The Method of Equal Shares with the Add1 completion, counted fast and exactly.

``EqualShares`` prepares an election (voters grouped by ballot, projects with votes); its
``add1()`` finds the run whose outcome Add1 keeps (see pb.counting.rules for the rule itself and
its ties). This module holds how that is made fast, and why it is still exact.

pabutools re-runs the whole rule for every increment of the voters' share. pb does too, but
each run is fast, and runs that cannot change the outcome are skipped:

1. **Runs on bounds** (pb.counting.intervals). A run keeps each voter's money between two whole
   numbers of 1/2**S of a currency unit, in numpy arrays, and funds a project only where the
   bounds prove it is the round's winner. Where they cannot (exact ties of prices that depend
   on money, a project exactly affordable), that share is counted exactly instead, by ``run``.
2. **Blocks from the top down.** Increments are counted in blocks (of ``BLOCKS``), the largest share
   first: each run starts its rounds from the price bounds of the run one increment above,
   lower bounds at its own share while both have funded the same projects (see
   ``certify_jump`` for why prices fall as the share grows). A run then prices again only the
   projects that could win a round, not every project its payments touched.
3. **Certified jumps.** Where the outcome held still, one run at a larger share can prove that
   every share in between has the same outcome (``certify_jump``, with the proof); the search
   then jumps there, and the jump doubles after each success (``Stride``).

The exact run (``run``, on ``State``) is the rule as written, with money kept as exact integer
multiples of a common 1/D; it counts the shares the bounds cannot decide, and replays the
outcome kept (``replay``) for the prices, payments and money that the results show.

The idea of not visiting every increment is that of "the next budget at which the outcome can
change" from Kraiczy, Robinson and Elkind, "Streamlining Equal Shares" (2025); their ADD-OPT
computes it for Exact Equal Shares, a variant of the rule in which supporters who cannot pay an
equal part are left out. In the rule counted here a supporter who cannot pay her part pays all
she has, prices bend wherever one more voter can pay in full, and on Warsaw's district ballots
that happens more often than once per increment, so a formula valid until the next bend would
skip nothing; a certificate that holds across bends does.
"""

from __future__ import annotations

import functools
import heapq
import itertools
import math
import operator
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from fractions import Fraction
from itertools import repeat
from typing import NamedTuple, Protocol

import numpy as np

from pb.counting.intervals import IntervalRun, Intervals
from pb.counting.model import APPROVAL, Election, tie_break_key

#: Increments counted together, from the top down (see the module's docstring): the first
#: block, and the largest. A block's first run starts from nothing, so longer blocks save work,
#: but the runs of a block beyond the one where Add1 stops are wasted: blocks double in length
#: as the count goes on.
BLOCKS = (16, 64)
#: How many of the runs above a run may start its rounds (the nearest, whose prices are closest).
NEAREST = 8


class Supporters(NamedTuple):
    """Some of a project's supporters, by ballot type: the types, the points each gave the
    project (1 on approval ballots), and how many voters cast each type."""

    types: list[int]
    points: list[int]
    times: list[int]


class SupporterArrays(NamedTuple):
    """All of a project's supporters as ``Supporters`` lists them, in numpy arrays (for
    pb.counting.intervals)."""

    types: np.ndarray
    points: np.ndarray
    times: np.ndarray


class Funding(Protocol):
    """What Add1 reads of a run, exact (``Run``) or on bounds (``IntervalRun``)."""

    share: Fraction
    funded: list[int]


@dataclass
class Stride:
    """How far ``add1`` tries to jump: ``width`` increments (no jump below 2), doubling after
    each jump certified and shrinking fourfold after one that was not. Below 2, ``add1`` counts
    a block of increments and tries again with 2 if the outcome held still at its end."""

    width: int = 2

    def succeeded(self) -> None:
        self.width *= 2

    def failed(self) -> None:
        self.width //= 4


class EqualShares:
    """The election prepared for Equal Shares: projects with votes, and voters grouped by ballot."""

    def __init__(
        self, election: Election, votes: dict[str, int], supporters: dict[str, int]
    ) -> None:
        self.budget = election.budget
        self.voters = len(election.ballots)
        projects = [p for p in election.projects if supporters[p.id] > 0]
        self.ids = [p.id for p in projects]
        self.index = {project_id: j for j, project_id in enumerate(self.ids)}
        self.cost = [p.cost for p in projects]
        # Satisfaction from project j is scale[j] * points: cost utilities on approval ballots.
        approval = election.vote_type == APPROVAL
        self.scale = [p.cost if approval else 1 for p in projects]
        self.key = [tie_break_key(p.id, p.cost, votes[p.id]) for p in projects]
        # Ballot types: identical ballots counted once (as listed: the same ballot listed in
        # another order is another type, which costs a little time and changes nothing).
        # ``times``: how many voters cast each type.
        ballots = election.ballots
        values = operator.methodcaller("values")
        distinct: Counter[tuple[tuple[str, ...], tuple[int, ...]]] = Counter(
            zip(map(tuple, ballots), map(tuple, map(values, ballots)))
        )
        self.times = list(distinct.values())
        count = len(self.ids)
        # Every (ballot type, project, points) the ballots hold, grouped by project: per project
        # its supporters' types (``types_of``), the points they gave (``points_of``) and how many
        # cast each type (``mult_of``); ``single`` and ``multiple`` split them by types cast once
        # (whose ``times`` stays empty) and more often.
        lengths = np.fromiter((len(ids) for ids, _ in distinct), dtype=np.intp, count=len(distinct))
        listed_ids = list(itertools.chain.from_iterable(ids for ids, _ in distinct))
        points_flat = np.fromiter(
            itertools.chain.from_iterable(points for _, points in distinct),
            dtype=np.int64,
            count=len(listed_ids),
        )
        given = points_flat > 0  # a project given 0 points is not supported
        points_flat = points_flat[given]
        # (Projects given only 0 points have no index: -1, left out with their 0 points.)
        projects_flat = np.array(list(map(self.index.get, listed_ids, repeat(-1))), dtype=np.intp)[
            given
        ]
        types_flat = np.repeat(np.arange(len(distinct), dtype=np.intp), lengths)[given]
        times = np.array(self.times, dtype=np.int64)
        order = np.argsort(projects_flat, kind="stable")
        ends = np.cumsum(np.bincount(projects_flat, minlength=count)).tolist()
        sorted_types, sorted_points = types_flat[order], points_flat[order]
        sorted_times = times[sorted_types]
        self.weighted = bool(len(points_flat)) and int(points_flat.max()) > 1
        # Where anyone gave more than 1 point, supporters are told apart by (class, points),
        # written class * W + points.
        self.W = (int(points_flat.max()) if len(points_flat) else 1) + 1
        self.types_of: list[list[int]] = []
        self.points_of: list[list[int]] = []
        self.mult_of: list[list[int]] = []
        self.single: list[Supporters] = []
        self.multiple: list[Supporters] = []
        self.points: list[int] = []  # points given to each project, in all
        self.supporter_count: list[int] = []  # voters who gave it points
        self.initial: list[dict[int, int]] = []
        # The same per project as numpy arrays (types, points, times), for runs on bounds.
        self.arrays: list[SupporterArrays] = []
        incidence = np.zeros((len(self.times), count), dtype=bool)
        start = 0
        for j, end in enumerate(ends):
            types_j = sorted_types[start:end]
            points_j, times_j = sorted_points[start:end], sorted_times[start:end]
            start = end
            incidence[types_j, j] = True
            self.types_of.append(types_j.tolist())
            self.points_of.append(points_j.tolist())
            self.mult_of.append(times_j.tolist())
            once = times_j == 1
            self.single.append(Supporters(types_j[once].tolist(), points_j[once].tolist(), []))
            more = ~once
            self.multiple.append(
                Supporters(types_j[more].tolist(), points_j[more].tolist(), times_j[more].tolist())
            )
            self.arrays.append(SupporterArrays(types_j, points_j, times_j))
            self.points.append(int(np.dot(points_j, times_j)))
            self.supporter_count.append(int(times_j.sum()))
            if self.weighted:
                by_points: Counter[int] = Counter()
                for w, n in zip(self.points_of[j], self.mult_of[j]):
                    by_points[w] += n
                self.initial.append(dict(by_points))
            else:
                self.initial.append({0: self.supporter_count[j]})
        # Per project, the projects on a ballot with it.
        self.neighbours = [
            [other for other in np.flatnonzero(incidence[types].any(axis=0)).tolist() if other != j]
            for j, types in enumerate(self.types_of)
        ]
        self.intervals = Intervals(self)

    def add1(self, whole_shares: bool = False, stop_when_spent: bool = True) -> tuple[Run, int]:
        """The run whose outcome Add1 keeps (replayed exactly), and its number of increments.

        By default as pabutools: shares ``budget / voters + k``, stopping at the first outcome
        that overspends (keeping the one before) or that leaves nothing with votes that fits.
        ``whole_shares`` and ``stop_when_spent=False`` give the loop of pabulib's checker (see
        ``equal_shares_as_pabulib_checker``): after the run at ``budget / voters``, shares
        ``floor(budget / voters) + k`` for k = 1, 2..., and no stop until an outcome overspends.

        Every increment is accounted for: either counted (in blocks, see ``_block``) or shown by
        a certified jump to have the outcome of the one before (``certify_jump``).
        """
        first = Fraction(self.budget, self.voters)
        base = Fraction(self.budget // self.voters) if whole_shares else first
        current: Funding = self.count(first)
        k = 0
        stride = Stride()
        block = BLOCKS[0]

        def done(outcome: Funding) -> bool:
            return self.exhausts(outcome) if stop_when_spent else self.funds_all(outcome)

        while not done(current):
            if stride.width >= 2 and isinstance(current, IntervalRun):
                target = k + stride.width
                ahead = self.certify_jump(current, base + target)
                if ahead is not None:
                    current, k = ahead, target
                    stride.succeeded()
                else:
                    stride.failed()
                continue
            for following in self._block(base, k + 1, k + block):
                if self.total(following) > self.budget:
                    return self.replay(current), k
                held_still = following.funded == current.funded
                current, k = following, k + 1
                if done(current):
                    break
            block = min(2 * block, BLOCKS[1])
            if held_still:
                stride.width = 2
        return self.replay(current), k

    def _block(self, base: Fraction, first: int, last: int) -> list[Funding]:
        """The runs at shares ``base + first`` to ``base + last``, in that order, counted from
        the last down, each run on bounds starting from the runs above it (see the module's
        docstring); a share the bounds cannot decide is counted exactly."""
        runs: list[Funding] = []
        above: list[IntervalRun] = []  # the runs counted on bounds so far, nearest first
        for k in range(last, first - 1, -1):
            share = base + k
            found = self.intervals.run(share, above=above[:NEAREST])
            if found is not None:
                above.insert(0, found)
            runs.append(found if found is not None else self.run(share))
        runs.reverse()
        return runs

    def count(self, share: Fraction) -> Funding:
        """One run at ``share``: on bounds, or exactly where they cannot decide."""
        found = self.intervals.run(share)
        return found if found is not None else self.run(share)

    def certify_jump(self, before: IntervalRun, share: Fraction) -> IntervalRun | None:
        """The run at ``share`` if it proves that every share from ``before.share`` up to
        ``share`` gives the outcome of ``before``; None where it does not.

        The run at ``share`` must fund what ``before`` funded, round by round, and in every
        round every other project must be unaffordable there, or cost more per unit of
        satisfaction there than the funded project did in ``before`` (ties by the tie-break
        key); and nothing more may be affordable at its end (pb.counting.intervals checks all
        of it on its bounds, ``before`` argument).

        Why that is enough. Fix the sequence of projects ``before`` funded at share ``x_a``, and
        follow that same sequence at a larger share ``x``. Every voter's money left before every
        round is a non-decreasing function of ``x``: a round maps the money before it to
        ``max(0, money - rho * satisfaction)``, where ``rho`` can only fall when supporters hold
        more, so the map is monotone, and it starts from ``x`` itself. Hence every project's
        price in every round is non-increasing in ``x``, and a project affordable at ``x_a``
        stays affordable. So if the run at ``x_b = share`` funds the same sequence and in every
        round each other project is at ``x_b`` either unaffordable or has a (price, tie-break
        key) above the funded project's (price, key) at ``x_a``, then at every ``x`` between
        them the funded project still beats every other one, and the projects unaffordable at
        the end at ``x_b`` are unaffordable at ``x`` too: every increment between has the
        outcome of ``before``. (The same fact, prices at a smaller share being at least those at
        a larger one after the same rounds, lets a block's runs start from the bounds of the
        run above them.)
        """
        return self.intervals.run(share, before=before, record=False)

    def total(self, run: Funding) -> int:
        return sum(self.cost[j] for j in run.funded)

    def funds_all(self, run: Funding) -> bool:
        return len(run.funded) == len(self.ids)

    def exhausts(self, run: Funding) -> bool:
        left = self.budget - self.total(run)
        funded = set(run.funded)
        return all(self.cost[j] > left for j in range(len(self.ids)) if j not in funded)

    def _entry(self, j: int, found: Price) -> Candidate:
        """A heap entry: (price per unit of satisfaction, tie-break key, project, t, poor);
        the price is floor(rho * RHO_SCALE) followed by rho itself, compared exactly only when
        those integers tie."""
        return Candidate(
            found.scaled,
            Ratio(found.per_point, self.scale[j]),
            self.key[j],
            j,
            found.per_point,
            found.poor,
        )

    def _top(self, state: State, heap: list[Candidate]) -> Candidate | None:
        """The heap's first entry once it is exact (prices of projects whose supporters paid
        since are only lower bounds, as prices never fall during a run); None when empty."""
        while heap:
            j = heap[0].project
            if not state.stale[j]:
                return heap[0]
            state.stale[j] = False
            found = state.price(j)
            if found is None:
                state.alive[j] = False
                heapq.heappop(heap)
            else:
                heapq.heapreplace(heap, self._entry(j, found))
        return None

    def run(self, share: Fraction) -> Run:
        """Equal Shares with ``share`` per voter, exactly: each round funds the project at the
        top of a heap of prices, recomputing a price only when it may be the lowest and some
        of its supporters paid since (prices never fall during a run)."""
        state = State(self, share)
        result = Run(share, state)
        heap = []
        for j in range(len(self.ids)):
            found = state.price(j)
            if found is None:
                state.alive[j] = False
            else:
                heap.append(self._entry(j, found))
        heapq.heapify(heap)
        while self._top(state, heap) is not None:
            entry = heapq.heappop(heap)
            result.add(entry)
            state.pay(entry.project, entry.per_point)
        return result

    def replay(self, outcome: Funding) -> Run:
        """The exact run funding ``outcome.funded`` at its share, in that order: each project's
        price per point, its supporters who paid all they had, and the money left."""
        if isinstance(outcome, Run):
            return outcome
        state = State(self, outcome.share)
        result = Run(outcome.share, state)
        for j in outcome.funded:
            found = state.price(j)
            assert found is not None, "the bounds showed it affordable at this share"
            result.add(self._entry(j, found))
            state.pay(j, found.per_point)
        return result


@functools.total_ordering
class Ratio:
    """t / scale, compared exactly. Unhashable, as it defines ``__eq__`` and no ``__hash__``."""

    __slots__ = ("t", "scale")

    def __init__(self, t: Fraction, scale: int) -> None:
        self.t = t
        self.scale = scale

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Ratio):
            return NotImplemented
        return self.t * other.scale == other.t * self.scale

    def __lt__(self, other: Ratio) -> bool:
        return self.t * other.scale < other.t * self.scale

    @property
    def value(self) -> Fraction:
        return self.t / self.scale


# Money is exact: within a run every amount is an integer number of 1/D, for a common
# denominator D that grows as rounds need it. To compare amounts quickly, each also carries
# floor(amount * SCALE), and exact products are computed only where those integers tie.
SCALE = 1 << 40
RHO_SCALE = 1 << 64


class Price(NamedTuple):
    """What a project's supporters would pay: ``per_point`` (t) from each supporter per point
    given to it, or all they have if less; ``scaled``, floor(rho * RHO_SCALE) for its price per
    unit of satisfaction rho = t / scale; ``poor``, how many supporters cannot pay t in full."""

    per_point: Fraction
    scaled: int
    poor: int


class Rank(NamedTuple):
    """How good a project is in a round, compared as a whole: its price per unit of
    satisfaction rounded (``scaled``), then exactly (``rho``, compared only where the rounded
    prices tie), then the tie-break key. The smallest rank is funded."""

    scaled: int
    rho: Ratio
    key: tuple[int, int, str]


class Candidate(NamedTuple):
    """A project in a run's heap: its rank's fields first, so that candidates compare by rank,
    then the project, and its price per point and poor supporters as in ``Price``."""

    scaled: int
    rho: Ratio
    key: tuple[int, int, str]
    project: int
    per_point: Fraction
    poor: int

    @property
    def rank(self) -> Rank:
        return Rank(self.scaled, self.rho, self.key)


class Run:
    """One exact run of Equal Shares at a given share per voter: per round, the funded project,
    its price per point (``prices``; per approval on approval ballots), its price per unit of
    satisfaction with its tie-break key (``bests``, as in heap entries), and how many of its
    supporters paid all they had left (``poor``)."""

    __slots__ = ("share", "funded", "prices", "bests", "poor", "state")

    def __init__(self, share: Fraction, state: State) -> None:
        self.share = share
        self.funded: list[int] = []
        self.prices: list[Fraction] = []
        self.bests: list[Rank] = []
        self.poor: list[int] = []
        self.state = state

    def add(self, entry: Candidate) -> None:
        self.funded.append(entry.project)
        self.prices.append(entry.per_point)
        self.bests.append(entry.rank)
        self.poor.append(entry.poor)

    def supporters_money(self) -> list[Fraction]:
        return self.state.supporters_money()


class State:
    """Voters' money during one run.

    Voters with the same ballot and the same money left form a class; ``type_class`` gives each
    ballot type's class (-1 once it has nothing left). Class c holds ``units[c]`` / D(``epoch[c]``),
    which is ``units[c] * factor[epoch[c]]`` in units of the current 1/D. A project's holders
    count its supporters per class (per (class, points) on points ballots); they are recounted
    only when some of them paid since.
    """

    def __init__(self, mes: EqualShares, share: Fraction) -> None:
        self.mes = mes
        self.D = share.denominator
        self.factor = [1]
        self.units = [share.numerator]
        self.epoch = [0]
        self.scaled = [share.numerator * SCALE // share.denominator]
        self.type_class = [0] * len(mes.times)
        self.holders = [dict(counts) for counts in mes.initial]
        count = len(mes.ids)
        # Supporters of each project with nothing left (not in its holders).
        self.broke = [0] * count
        self.outdated = [False] * count
        self.alive = [True] * count
        self.stale = [False] * count  # for the heap: the price recorded there may be too low

    def counts(self, j: int) -> dict[int, int]:
        if self.outdated[j]:
            mes = self.mes
            of = self.type_class.__getitem__
            single_types, single_points = mes.single[j].types, mes.single[j].points
            multiple_types, multiple_points, multiplicity = mes.multiple[j]
            if mes.weighted:
                W = repeat(mes.W)
                counts = Counter(
                    map(operator.add, map(operator.mul, map(of, single_types), W), single_points)
                )
                keys = map(
                    operator.add, map(operator.mul, map(of, multiple_types), W), multiple_points
                )
                for (k, n), times in Counter(zip(keys, multiplicity)).items():
                    counts[k] += n * times
                broke = sum(counts.pop(k, 0) for k in range(1 - mes.W, 0))
            else:
                counts = Counter(map(of, single_types))
                grouped = Counter(zip(map(of, multiple_types), multiplicity))
                for (c, n), times in grouped.items():
                    counts[c] += n * times
                broke = counts.pop(-1, 0)
            self.holders[j] = counts
            self.broke[j] = broke
            self.outdated[j] = False
        return self.holders[j]

    def price(self, j: int) -> Price | None:
        """The smallest payment t per point that covers project j's cost, as
        (t, floor(t / scale * RHO_SCALE), supporters who cannot pay it in full); None if its
        supporters do not hold enough."""
        units, factor, epoch, scaled = self.units, self.factor, self.epoch, self.scaled
        mes = self.mes
        cost = mes.cost[j]
        D = self.D
        if self.outdated[j] and mes.weighted:
            # Before counting supporters per class again: whether they hold too little even
            # counted generously (a supporter with nothing is read as holding some class's money).
            # On points ballots classes hardly merge, so this costs less than the count; on
            # approval ballots a class holds many voters, and the count is the cheaper test.
            money_of = scaled.__getitem__
            class_of = self.type_class.__getitem__
            single_types = mes.single[j].types
            multiple_types, multiplicity = mes.multiple[j].types, mes.multiple[j].times
            held = sum(map(money_of, map(class_of, single_types))) + sum(
                map(operator.mul, map(money_of, map(class_of, multiple_types)), multiplicity)
            )
            if held + mes.supporter_count[j] <= cost * SCALE:
                return None
        counts = self.counts(j)
        if not counts:
            return None
        numbers = list(counts.values())
        voters = sum(numbers)
        if self.mes.weighted:
            classes = list(map(operator.floordiv, counts, repeat(self.mes.W)))
            points_each = list(map(operator.mod, counts, repeat(self.mes.W)))
            money = list(map(scaled.__getitem__, classes))
            ratios = list(map(operator.floordiv, money, points_each))
            points = sum(map(operator.mul, points_each, numbers))
        else:
            classes = list(counts)
            money = ratios = list(map(scaled.__getitem__, classes))
            points_each = None
            points = voters
        # The supporters hold between low / SCALE and (low + voters) / SCALE.
        low = sum(map(operator.mul, money, numbers))
        if low + voters <= cost * SCALE:
            return None
        if low < cost * SCALE:
            held = sum(units[c] * factor[epoch[c]] * n for c, n in zip(classes, numbers))
            if held < cost * D:
                return None
        # t = top / (points * D): at first cost / points; supporters who cannot pay t per point
        # pay all they have (``top`` loses it, in units of 1/D) and t rises, until none is left.
        top = cost * D
        # Supporters with nothing left count among those who cannot pay in full.
        poor = self.broke[j]
        if min(ratios) > top * SCALE // (points * D):
            return self._price(j, top, points * D, poor)
        order = sorted(range(len(ratios)), key=ratios.__getitem__)
        end = len(order)
        done = 0
        while True:
            bottom = points * D
            bar = top * SCALE // bottom
            more = False
            while done < end and ratios[order[done]] < bar:
                e = order[done]
                c, n = classes[e], numbers[e]
                top -= units[c] * factor[epoch[c]] * n
                points -= (points_each[e] if points_each else 1) * n
                poor += n
                done += 1
                more = True
            if more:
                continue
            # Amounts whose scaled integers equal the bar are compared exactly.
            at = done
            while at < end and ratios[order[at]] == bar:
                e = order[at]
                c, n = classes[e], numbers[e]
                w = points_each[e] if points_each else 1
                have = units[c] * factor[epoch[c]]
                if have * bottom < w * top * D:
                    order[done], order[at] = order[at], order[done]
                    top -= have * n
                    points -= w * n
                    poor += n
                    done += 1
                    more = True
                at += 1
            if not more:
                return self._price(j, top, bottom, poor)

    def _price(self, j: int, top: int, bottom: int, poor: int) -> Price:
        return Price(Fraction(top, bottom), top * RHO_SCALE // (bottom * self.mes.scale[j]), poor)

    def pay(self, j: int, t: Fraction) -> bool:
        """Project j is funded at t per point: its supporters pay, and move to new classes.
        True if some of them have nothing left."""
        mes = self.mes
        units, factor, epoch, scaled = self.units, self.factor, self.epoch, self.scaled
        weighted = mes.weighted
        # Make t a whole number of 1/D.
        extra = t.denominator // math.gcd(t.denominator, self.D)
        if extra > 1:
            self.D *= extra
            self.factor = factor = [f * extra for f in factor]
        if factor[-1] != 1:
            factor.append(1)
        now = len(factor) - 1
        D = self.D
        step = t.numerator * (D // t.denominator)
        counts = self.counts(j)
        keys = list(counts)
        payments: Iterator[int]
        if weighted:
            classes = list(map(operator.floordiv, keys, repeat(mes.W)))
            payments = map(operator.mul, map(operator.mod, keys, repeat(mes.W)), repeat(step))
        else:
            classes, payments = keys, repeat(step)
        have = map(
            operator.mul,
            map(units.__getitem__, classes),
            map(factor.__getitem__, map(epoch.__getitem__, classes)),
        )
        # What is left: nothing for supporters who could not pay t per point in full.
        left = list(map(operator.sub, have, payments))
        number = itertools.count(len(units))
        moved = dict(zip(keys, [next(number) if x > 0 else -1 for x in left]))
        kept = [x for x in left if x > 0]
        units.extend(kept)
        epoch.extend(repeat(now, len(kept)))
        scaled.extend(map(operator.floordiv, map(operator.mul, kept, repeat(SCALE)), repeat(D)))
        type_class = self.type_class
        # Each supporter type's key in ``moved``: its class (times W, plus its points).
        held: Iterator[int] = map(type_class.__getitem__, mes.types_of[j])
        if weighted:
            moved.update((k, -1) for k in range(1 - mes.W, 0))
            held = map(operator.add, map(operator.mul, held, repeat(mes.W)), mes.points_of[j])
        else:
            moved[-1] = -1
        for v, key in zip(mes.types_of[j], list(held)):
            type_class[v] = moved[key]
        self.alive[j] = False
        outdated, stale = self.outdated, self.stale
        for j2 in mes.neighbours[j]:
            outdated[j2] = stale[j2] = True
        return len(kept) < len(left)

    def supporters_money(self) -> list[Fraction]:
        """What each project's supporters hold, in all."""
        factor = self.factor
        # Each class's money in units of 1/D, and nothing for class -1 (the last item).
        money = [u * factor[e] for u, e in zip(self.units, self.epoch)] + [0]
        money_of, class_of = money.__getitem__, self.type_class.__getitem__
        return [
            Fraction(sum(map(operator.mul, map(money_of, map(class_of, types)), times)), self.D)
            for types, times in zip(self.mes.types_of, self.mes.mult_of)
        ]
