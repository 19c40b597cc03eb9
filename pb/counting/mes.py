"""The Method of Equal Shares with the Add1 completion, counted fast and exactly.

``EqualShares`` prepares an election (voters grouped by ballot, projects with votes); its
``run(share)`` is one run of the rule with ``share`` per voter, and ``add1()`` finds the run whose
outcome Add1 keeps (see pb.counting.rules for the rule itself and its ties). This module holds how
that is made fast, and why it is still exact.

pabutools re-runs the whole rule for every increment. Here one run is fast: voters with the
same ballot are counted once; voters with the same money left form one class, and a project's
supporters are counted per class; money is kept as whole multiples of a common 1/D, so that
exact sums and comparisons are integer arithmetic, with floor(amount * 2**40) deciding most
comparisons without it; and a project's price is recomputed only when it may be the cheapest
and some of its supporters paid since (prices never fall during a run).

Most increments are skipped by certifying a jump: one run at a larger share, compared round by
round with the run already known, proves that every share in between has the same outcome
(``EqualShares.certify``, whose docstring holds the proof).

A check that fails in some round still proves the rounds before it for every share between
the two runs; runs at those shares fund those projects first without looking at their rivals,
and then start from the prices the check had reached, lower bounds at any smaller share.

Runs also share their first rounds. Where a run's first rounds fund, one after another, the
project with the lowest possible price (cost / points) among those left, and leave every
supporter with money, every run at a larger share repeats them, each voter holding the
difference of the shares more (``EqualShares._remember``, with the proof); later runs start from
a copy of that money instead of paying those rounds again.

Such certified runs let the search jump ahead (the jump doubles after each success, within
where prices extrapolated from the last two runs would change the outcome, and shrinks after a
failure); where no jump can be certified it moves by 1, exactly as Add1. The outcome is
therefore the one Add1 computes increment by increment — the idea of computing "the next
budget at which the outcome can change" from Kraiczy, Robinson and Elkind, "Streamlining Equal
Shares" (2025), here as a check rather than a formula.

Why a check and not the paper's formula: the paper computes the next budget at which the outcome
changes (its ADD-OPT) for Exact Equal Shares, its variant of the rule in which the supporters of a
project pay equal parts and those who cannot are left out. In the Method of Equal Shares counted
here, as pabutools counts it, a supporter who cannot pay her part pays all she has, and the prices
are piecewise affine in the share, with a bend wherever one more voter can pay in full. On
Warsaw's district ballots those bends come more often than once per whole-unit increment (the
number of voters paying all they have differs between any two neighbouring increments), so a
formula valid until the next bend would not skip a single increment; bounds that hold across
bends (prices fall as the share grows) do.
"""

from __future__ import annotations

import functools
import heapq
import itertools
import math
import operator
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from fractions import Fraction
from itertools import repeat
from typing import NamedTuple

from pb.counting.model import APPROVAL, Election


def tie_break_key(project_id: str, cost: int, votes: int) -> tuple[int, int, str]:
    """Sorts first the project that wins a tie: cheaper, then more votes, then smaller id."""
    return (cost, -votes, project_id)


class Supporters(NamedTuple):
    """Some of a project's supporters, by ballot type: the types, the points each gave the
    project (1 on approval ballots), and how many voters cast each type."""

    types: list[int]
    points: list[int]
    times: list[int]


class KnownRounds(NamedTuple):
    """First rounds shown (by a failed ``certify``) to fund ``funded`` at every increment from
    ``low`` to ``high``, and ``bounds``, the heap after them then: lower bounds of the prices at
    each of those increments."""

    funded: tuple[int, ...]
    bounds: list[Candidate]
    low: int
    high: int

    def covers(self, k: int) -> bool:
        return self.low <= k <= self.high


@dataclass
class Stride:
    """How far ``add1`` tries to jump: ``width`` increments (no jump below 2), doubling after
    each jump certified and shrinking fourfold after one that was not; after a failure it
    steps by 1 for ``wait`` increments (2, 4, 8... up to 32 after successive failures) before
    trying again, once the outcome held still for an increment."""

    width: int = 2
    wait: int = 0
    misses: int = 0

    def succeeded(self) -> None:
        # A jump of 2 saves one run for the price of one: it is no sign that jumping pays here.
        if self.width > 2:
            self.misses = 0
        self.width *= 2

    def failed(self) -> None:
        self.misses += 1
        self.width //= 4
        if self.width < 2:
            self.wait = 2 ** min(self.misses, 5)

    def stepped(self, held_still: bool) -> None:
        self.wait -= 1
        if self.wait <= 0 and held_still:
            self.width = 2


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
        ballots = Counter(
            tuple(sorted((self.index[pid], w) for pid, w in ballot.items() if w > 0))
            for ballot in election.ballots
        )
        ballots.pop((), None)
        self.types = list(ballots.items())
        # Where anyone gave more than 1 point, supporters are told apart by (class, points),
        # written class * W + points.
        self.weighted = any(w > 1 for items, _ in self.types for _, w in items)
        self.W = max((w for items, _ in self.types for _, w in items), default=1) + 1
        count = len(self.ids)
        # Per project, its supporters' ballot types: those cast once (``single``, whose ``times``
        # stays empty) and those cast n > 1 times (``multiple``); ``types_of`` all of them, with
        # the points given (``points_of``) and how many cast each (``mult_of``).
        types_of: list[list[int]] = [[] for _ in range(count)]
        points_of: list[list[int]] = [[] for _ in range(count)]
        single = [Supporters([], [], []) for _ in range(count)]
        multiple = [Supporters([], [], []) for _ in range(count)]
        neighbours: list[set[int]] = [set() for _ in range(count)]
        mult_of: list[list[int]] = [[] for _ in range(count)]
        for v, (items, n) in enumerate(self.types):
            for j, w in items:
                types_of[j].append(v)
                points_of[j].append(w)
                mult_of[j].append(n)
                if n == 1:
                    single[j].types.append(v)
                    single[j].points.append(w)
                else:
                    multiple[j].types.append(v)
                    multiple[j].points.append(w)
                    multiple[j].times.append(n)
            if len(items) > 1:
                together = [j for j, _ in items]
                for j in together:
                    neighbours[j].update(together)
        self.types_of, self.points_of, self.mult_of = types_of, points_of, mult_of
        self.supporter_count = [sum(numbers) for numbers in mult_of]
        self.single, self.multiple = single, multiple
        self.neighbours = [sorted(others - {j}) for j, others in enumerate(neighbours)]
        self.initial: list[dict[int, int]] = []
        self.points: list[int] = []  # points given to each project, in all
        for j in range(count):
            by_points = Counter(single[j].points)
            for w, n in zip(multiple[j].points, multiple[j].times):
                by_points[w] += n
            self.points.append(sum(w * n for w, n in by_points.items()))
            if self.weighted:
                self.initial.append(dict(by_points))
            else:
                self.initial.append({0: sum(by_points.values())})
        # Projects by their lowest possible price (cost / points given to it): see ``_remember``.
        self.cheapest_first = sorted(
            range(count), key=lambda j: self._entry(j, self._lowest_price(j)).rank
        )
        self.snapshot: Snapshot | None = None
        self.use_snapshots = True

    def add1(self, whole_shares: bool = False, stop_when_spent: bool = True) -> tuple[Run, int]:
        """The run whose outcome Add1 keeps, and its number of increments.

        By default as pabutools: shares ``budget / voters + k``, stopping at the first outcome
        that overspends (keeping the one before) or that leaves nothing with votes that fits.
        ``whole_shares`` and ``stop_when_spent=False`` give the loop of pabulib's checker (see
        ``equal_shares_as_pabulib_checker``): after the run at ``budget / voters``, shares
        ``floor(budget / voters) + k`` for k = 1, 2..., and no stop until an outcome overspends.

        From the run at increment k, a jump to k + width is tried where it is likely to be
        certified (see ``certify``): the width doubles after each success, but stops short of
        where prices extrapolated from the last two runs would change the outcome. A failed
        jump still shows that the first rounds fund the same projects at every increment up to
        k + width; runs there start from those rounds without checking their rivals (``prefix``).
        After a failure the width shrinks fourfold; below 2 the search moves by 1, and tries a
        jump again once the outcome held still for an increment, after waiting 2, 4, 8... up to
        32 increments after successive failures (``Stride``; outcomes that change at almost
        every increment are then counted almost as pabutools counts them, one run per
        increment).
        """
        first = Fraction(self.budget, self.voters)
        base = Fraction(self.budget // self.voters) if whole_shares else first
        current, k = self.run(first), 0
        previous = None  # an earlier run funding the same sequence, to extrapolate from
        known = KnownRounds((), [], 0, 0)
        stride = Stride()
        while not (self.exhausts(current) if stop_when_spent else self.funds_all(current)):
            if stride.width >= 2 and previous is not None:
                crossing = self.predict(previous, current)
                if crossing is not None:
                    stride.width = min(stride.width, math.ceil(crossing - base) - 1 - k)
            if stride.width >= 2:
                target = k + stride.width
                inside = known.low <= k and target <= known.high
                ahead, rounds, after = self.certify(
                    current,
                    base + target,
                    known.funded if inside else (),
                    known.bounds if inside else [],
                )
                if ahead is not None:
                    previous, current, k = current, ahead, target
                    stride.succeeded()
                    continue
                if rounds > (len(known.funded) if known.covers(k + 1) else -1):
                    known = KnownRounds(tuple(current.funded[:rounds]), after, k, target)
                stride.failed()
                continue
            covered = known.covers(k + 1)
            # Rivals serve to extrapolate, which is only done while the outcome holds still.
            following = self.run(
                base + k + 1,
                known.funded if covered else (),
                known.bounds if covered else [],
                rivals=previous is not None and stride.wait <= 1,
            )
            if self.total(following) > self.budget:
                return current, k
            previous = current if following.funded == current.funded else None
            current, k = following, k + 1
            stride.stepped(held_still=previous is not None)
        return current, k

    def predict(self, before: Run, after: Run) -> Fraction | None:
        """Where, extrapolating prices linearly from two runs funding the same sequence, some
        round's closest rival would become cheaper than the project funded; only a guess, used
        to choose the next jump (which is then certified)."""
        step = after.share - before.share
        first = None
        for r, rival in enumerate(after.rivals):
            earlier = before.rivals[r]
            if rival is None or earlier is None or rival.project != earlier.project:
                continue
            gap_after = rival.rho.value - after.bests[r].rho.value
            gap_before = earlier.rho.value - before.bests[r].rho.value
            if gap_before > gap_after:
                crossing = after.share + gap_after * step / (gap_before - gap_after)
                if first is None or crossing < first:
                    first = crossing
        return first

    def total(self, run: Run) -> int:
        return sum(self.cost[j] for j in run.funded)

    def funds_all(self, run: Run) -> bool:
        return len(run.funded) == len(self.ids)

    def exhausts(self, run: Run) -> bool:
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

    def _start(
        self, share: Fraction, forced: tuple[int, ...] = (), seed: Sequence[Candidate] = ()
    ) -> tuple[Run, list[Candidate]]:
        """A run at ``share`` that has funded ``forced`` in its first rounds (a sequence certified
        for this share, see ``add1``), and its heap of the other projects' prices.

        Without ``forced`` the heap holds exact prices. After forced rounds it holds lower bounds
        of the prices, marked as needing a recount: ``seed``, the heap entries of a run at a
        larger share at that round (prices only fall as the share grows), else cost / (points
        given to the project), a lower bound whatever its supporters hold.
        """
        snapshot = self.snapshot
        known: tuple[int, ...] = ()
        if snapshot is not None and share >= snapshot.share:
            known = snapshot.funded
            common = min(len(known), len(forced))
            if known[:common] != forced[:common]:  # cannot happen (see _remember); be safe
                known = ()
        if snapshot is not None and known:
            state = snapshot.state.translated(share - snapshot.share)
            result = Run(share, state=state)
            for j in known:
                result.add(self._entry(j, self._lowest_price(j)), None)
            forced = known + forced[len(known) :]
        else:
            state = State(self, share)
            result = Run(share, state=state)
        for j in forced[len(known) :]:
            price = state.price(j)
            assert price is not None, "a forced round was certified affordable at this share"
            entry = self._entry(j, price)
            result.add(entry, None)
            state.pay(j, entry.per_point)
        if seed:
            heap = [entry for entry in seed if state.alive[entry.project]]
            for entry in heap:
                state.stale[entry.project] = True
            heapq.heapify(heap)
            return result, heap
        heap = []
        for j in range(len(self.ids)):
            if not state.alive[j]:
                continue
            found: Price | None
            if forced:
                found = self._lowest_price(j)
                state.stale[j] = True
            else:
                found = state.price(j)
                if found is None:
                    state.alive[j] = False
                    continue
            heap.append(self._entry(j, found))
        heapq.heapify(heap)
        return result, heap

    def _lowest_price(self, j: int) -> Price:
        points = self.points[j]
        return Price(
            Fraction(self.cost[j], points),
            self.cost[j] * RHO_SCALE // (points * self.scale[j]),
            0,
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

    def run(
        self,
        share: Fraction,
        forced: tuple[int, ...] = (),
        seed: Sequence[Candidate] = (),
        rivals: bool = True,
    ) -> Run:
        """Equal Shares with ``share`` per voter (having funded ``forced`` first, see
        ``_start``); ``rivals``: also find each round's closest rival, for ``predict``."""
        result, heap = self._start(share, forced, seed)
        state = result.state
        # While its first rounds could start later runs (see _remember), the run copies the
        # money where they end, instead of _remember paying them again afterwards.
        keep_from = self._worth_keeping(result)
        kept = None
        while self._top(state, heap) is not None:
            entry = heapq.heappop(heap)
            rounds = len(result.funded)
            if keep_from is not None and (
                entry.project != self.cheapest_first[rounds] or entry.poor
            ):
                if rounds >= keep_from:
                    kept = self._kept(result, state)
                keep_from = None
            result.add(entry, self._top(state, heap) if rivals else None)
            if state.pay(entry.project, entry.per_point):
                keep_from = None  # somebody has nothing left: _remember stops before
        if keep_from is not None and len(result.funded) >= keep_from:
            kept = self._kept(result, state)
        if kept is not None:
            self.snapshot = kept
        else:
            self._remember(result)
        return result

    def _kept(self, run: Run, state: State) -> Snapshot:
        """The money of ``state`` after ``run``'s rounds so far, for later runs: a copy, in which
        only the projects funded are out (this run found others unaffordable at its share)."""
        copy = state.translated(Fraction(0))
        copy.alive = [True] * len(self.ids)
        for j in run.funded:
            copy.alive[j] = False
        return Snapshot(run.share, tuple(run.funded), copy)

    def _worth_keeping(self, run: Run) -> int | None:
        """How many first rounds ``run`` (just started) must have for its money after them to
        be kept for later runs (see _remember), or None if it cannot be: a smaller share than
        the money kept already, or rounds paid at its start that are not that money's own."""
        snapshot = self.snapshot
        if not self.use_snapshots or (snapshot and run.share < snapshot.share):
            return None
        known = snapshot.funded if snapshot else ()
        if run.funded and tuple(run.funded) != known:
            return None
        return max(2, len(known) + 2)

    def _remember(self, run: Run) -> None:
        """Keep the voters' money after ``run``'s first rounds where every later run will fund
        the same projects the same way, so that those runs start from it (``_start``).

        A round is such a round when nobody had to pay all they had (every supporter paid the
        price times their points, and the price was cost / points), no supporter was left with
        nothing, and the project funded was, of all the projects not funded yet, the one with
        the lowest possible price, cost / points. With a larger share and the same rounds before,
        every voter holds more by the same amount, so the round again leaves nobody short and
        costs the same; every other project's price is still at least its lowest possible price,
        which is above: the same project wins, and every voter ends the round with what they had
        at the smaller share plus the difference of the shares. By induction this holds for the
        whole run of such rounds, at every larger share.
        """
        if not self.use_snapshots or (self.snapshot and run.share < self.snapshot.share):
            return
        rounds = 0
        while (
            rounds < len(run.funded)
            and run.funded[rounds] == self.cheapest_first[rounds]
            and run.poor[rounds] == 0
        ):
            rounds += 1
        known = len(self.snapshot.funded) if self.snapshot else 0
        if rounds < max(2, known + 2):  # too short to pay for the copy
            return
        state = State(self, run.share)
        funded = []
        for j, price in zip(run.funded[:rounds], run.prices[:rounds]):
            state.pay(j, price)
            if -1 in state.type_class:  # somebody was left with nothing: stop before
                break
            funded.append(j)
        else:
            self.snapshot = Snapshot(run.share, tuple(funded), state)
            return
        if len(funded) >= max(2, known + 2):
            state = State(self, run.share)
            for j in funded:
                state.pay(j, self._lowest_price(j).per_point)
            self.snapshot = Snapshot(run.share, tuple(funded), state)

    def certify(
        self,
        before: Run,
        share: Fraction,
        forced: tuple[int, ...] = (),
        seed: Sequence[Candidate] = (),
    ) -> tuple[Run | None, int, list[Candidate]]:
        """Whether every share from ``before.share`` up to ``share`` gives the outcome of
        ``before``: (the run at ``share``, or None as soon as that cannot be shown), how many of
        ``before``'s first rounds are shown to fund the same projects at all those shares, and
        the heap at the start of the first round not shown (lower bounds of the prices then, at
        all those shares). ``forced`` and ``seed``: as for ``_start``, for all those shares.

        Round by round, this run must fund what ``before`` funded, and every other project must
        be unaffordable here, or cost more per unit of satisfaction here than the funded project
        did in ``before`` (ties by the tie-break key) — prices fall as the share grows — or, where
        every price involved is an affine function of the share between the two runs (the same
        number of voters paid all they had, at both ends), lose to the funded project at both
        ends.

        Why that is enough. Fix the sequence of projects ``before`` funded at share ``x_a``, and
        follow that same sequence at a larger share ``x``. Every voter's money left before every
        round is a non-decreasing function of ``x``: a round maps the money before it to
        ``max(0, money - rho * satisfaction)``, where ``rho`` can only fall when supporters hold
        more, so the map is monotone, and it starts from ``x`` itself. Hence every project's price
        in every round is non-increasing in ``x``, and a project affordable at ``x_a`` stays
        affordable. So if the run at ``x_b = share`` funds the same sequence and in every round
        each other project is at ``x_b`` either unaffordable or has a (price, tie-break key) above
        the funded project's (price, key) at ``x_a``, then at every ``x`` between them the funded
        project still beats every other one, and the projects unaffordable at the end at ``x_b``
        are unaffordable at ``x`` too: every increment between has the outcome of ``before``.

        Close races, where both prices fall: a voter who pays everything she has at ``x_b`` does
        so at every smaller share (her money minus the price is non-decreasing in ``x``), so if
        as many voters pay everything at ``x_a`` as at ``x_b`` in every round so far, then every
        amount and the funded project's price are affine in ``x`` between the two runs; a rival
        whose number of supporters paying everything is also the same at both ends has an affine
        price too, and it loses at every ``x`` between if it loses at both ends.
        """
        result, heap = self._start(share, forced, seed)
        state = result.state
        replay, replayed = None, 0  # ``before``'s money, rebuilt only if needed
        start = len(result.funded)  # ``forced``, and perhaps more rounds (see _remember)
        if result.funded != before.funded[:start]:
            return None, 0, []
        affine = all(result.poor[r] == before.poor[r] for r in range(start))
        for r in range(start, len(before.funded)):
            top = self._top(state, heap)
            bounds = list(heap)
            if top is None or top.project != before.funded[r]:
                return None, r, bounds
            entry = heapq.heappop(heap)
            affine = affine and entry.poor == before.poor[r]
            bar = before.bests[r]
            rival = self._top(state, heap)
            checked = []
            while True:
                top = self._top(state, heap)
                if top is None or top.rank > bar:
                    break
                if not affine:
                    return None, r, bounds
                if replay is None:
                    replay = State(self, before.share)
                while replayed < r:
                    replay.pay(before.funded[replayed], before.prices[replayed])
                    replayed += 1
                p = top.project
                found = replay.price(p)
                if (
                    found is None
                    or found.poor != top.poor
                    or not bar < self._entry(p, found).rank
                    or not entry.rank < top.rank
                ):
                    return None, r, bounds
                checked.append(heapq.heappop(heap))
            for other in checked:
                heapq.heappush(heap, other)
            result.add(entry, rival)
            state.pay(entry.project, entry.per_point)
        if self._top(state, heap) is not None:
            return None, len(before.funded), list(heap)
        return result, len(before.funded), []


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


class Snapshot:
    """The voters' money at ``share`` after the first rounds, funding ``funded``, that every
    run at a larger share begins with (see ``EqualShares._remember``)."""

    __slots__ = ("share", "funded", "state")

    def __init__(self, share: Fraction, funded: tuple[int, ...], state: State) -> None:
        self.share, self.funded, self.state = share, funded, state


class Run:
    """One run of Equal Shares at a given share per voter: per round, the funded project, its
    price per point (``prices``; per approval on approval ballots), its price per unit of
    satisfaction with its tie-break key (``bests``, as in heap entries), how many of its
    supporters paid all they had left (``poor``), and its closest rival's heap entry."""

    __slots__ = ("share", "funded", "prices", "bests", "poor", "rivals", "state")

    def __init__(self, share: Fraction, state: State) -> None:
        self.share = share
        self.funded: list[int] = []
        self.prices: list[Fraction] = []
        self.bests: list[Rank] = []
        self.poor: list[int] = []
        self.rivals: list[Candidate | None] = []
        self.state = state

    def add(self, entry: Candidate, rival: Candidate | None) -> None:
        self.funded.append(entry.project)
        self.prices.append(entry.per_point)
        self.bests.append(entry.rank)
        self.poor.append(entry.poor)
        self.rivals.append(rival)

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
        self.type_class = [0] * len(mes.types)
        self.holders = [dict(counts) for counts in mes.initial]
        count = len(mes.ids)
        # Supporters of each project with nothing left (not in its holders).
        self.broke = [0] * count
        self.outdated = [False] * count
        self.alive = [True] * count
        self.stale = [False] * count  # for the heap: the price recorded there may be too low

    def translated(self, more: Fraction) -> State:
        """A copy in which every voter holds ``more`` besides (nobody may hold nothing)."""
        copy = State.__new__(State)
        copy.mes = self.mes
        extra = more.denominator // math.gcd(more.denominator, self.D)
        copy.D = D = self.D * extra
        added = more.numerator * (D // more.denominator)
        factor = [f * extra for f in self.factor]
        copy.units = [u * factor[e] + added for u, e in zip(self.units, self.epoch)]
        copy.factor = [1]
        copy.epoch = [0] * len(copy.units)
        copy.scaled = [u * SCALE // D for u in copy.units]
        copy.type_class = list(self.type_class)
        copy.holders = [dict(counts) for counts in self.holders]
        copy.broke = list(self.broke)
        copy.outdated = list(self.outdated)
        copy.alive = list(self.alive)
        copy.stale = list(self.stale)
        return copy

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
