"""Counting rules: greedy by votes, and the Method of Equal Shares with the "Add1" completion.

Votes
    A project's votes are its number of approvers on approval ballots, and the sum of its points on
    points (cumulative) ballots. A project nobody voted for is never funded and plays no part in
    the count (in particular, not in deciding whether Equal Shares has spent the budget).

Ties
    Wherever two projects are equally good for a rule — the same votes for greedy, the same price
    per unit of satisfaction for Equal Shares — the cheaper one comes first, then the one with more
    votes (approvers, or points), then the one whose id comes first compared as text ("10" before
    "9"). This is the order of equalshares.net's reference code and of pabulib's checker; the
    comparison tests give pabutools the same order as a ``TieBreakingRule`` keyed on
    ``(cost, -votes, id)``.

Greedy (``greedy``)
    Projects in decreasing order of votes; each is funded if it fits in what is left of the budget,
    otherwise skipped, and the count goes on down the list.

Equal Shares (``equal_shares``)
    The Method of Equal Shares as used by cities: each voter holds an equal share of the budget and
    a project is funded only if its supporters can pay for it from their shares. A voter's
    satisfaction from a project is its cost on approval ballots ("cost utilities") and the points
    they gave it on points ballots. Each round funds the project with the lowest price ``rho`` per
    unit of satisfaction, where ``rho`` is the smallest value with
    ``sum over supporters of min(money left, rho * satisfaction) = cost``; each supporter pays
    ``min(money left, rho * satisfaction)``. The rounds end when no project's supporters hold
    enough money. This is pabutools 1.2's ``method_of_equal_shares`` (``Cost_Sat`` for approval,
    ``Additive_Cardinal_Sat`` for points), computed with exact fractions.

    Completion "Add1", as pabutools' ``voter_budget_increment=1``: the rule is re-run with each
    voter's share raised from ``budget / ballots`` by 1, 2, 3... whole currency units, and stops at
    the first run whose outcome costs more than the real budget (keeping the outcome of the run
    before it) or leaves no project with votes that would still fit (keeping that outcome). With
    ``complete_greedy=True`` the projects with votes that are still unfunded are then considered in
    greedy order and funded while they fit, as pabutools'
    ``completion_by_rule_combination([method_of_equal_shares, greedy_utilitarian_welfare], ...)``.

    On points ballots the completion ranks projects by points, like ``greedy`` (pabutools'
    ``greedy_utilitarian_welfare`` with ``Cost_Sat`` would rank them by number of supporters).

How Add1 is made fast, and why it is still exact
    pabutools re-runs the whole rule for every increment. Here one run is fast: voters with the
    same ballot are counted once; voters with the same money left form one class, and a project's
    supporters are counted per class; money is kept as whole multiples of a common 1/D, so that
    exact sums and comparisons are integer arithmetic, with floor(amount * 2**40) deciding most
    comparisons without it; and a project's price is recomputed only when it may be the cheapest
    and some of its supporters paid since (prices never fall during a run). Most increments are
    then skipped with a proof that their outcome is the one already known:

    Fix the sequence of projects a run funded at share ``x_a``, and follow that same sequence at a
    larger share ``x``. Every voter's money left before every round is a non-decreasing function of
    ``x``: a round maps the money before it to ``max(0, money - rho * satisfaction)``, where ``rho``
    can only fall when supporters hold more, so the map is monotone, and it starts from ``x``
    itself. Hence every project's price in every round is non-increasing in ``x``, and a project
    that is affordable at ``x_a`` stays affordable. So if a run at ``x_b > x_a`` funds the same
    sequence and in every round each other project is at ``x_b`` either unaffordable or has a
    (price, tie-break key) above the funded project's (price, key) at ``x_a``, then at every ``x``
    between them the funded project still beats every other one, and the projects unaffordable at
    the end at ``x_b`` are unaffordable at ``x`` too: every increment between ``x_a`` and ``x_b``
    has the same outcome, which was neither over budget nor exhausting.

    A second test covers close races, where both prices fall: a voter who pays everything she has
    at ``x_b`` does so at every smaller share (her money minus the price is non-decreasing in
    ``x``), so if as many voters pay everything at ``x_a`` as at ``x_b`` in every round so far,
    then every amount and the funded project's price are affine in ``x`` between the two runs; a
    rival whose number of supporters paying everything is also the same at both ends has an
    affine price too, and it loses at every ``x`` between if it loses at both ends.

    A check that fails in some round still proves the rounds before it for every share between
    the two runs; runs at those shares fund those projects first without looking at their rivals,
    and then start from the prices the check had reached, lower bounds at any smaller share.

    Runs also share their first rounds. Where a run's first rounds fund, one after another, the
    project with the lowest possible price (cost / points) among those left, and leave every
    supporter with money, every run at a larger share repeats them, each voter holding the
    difference of the shares more (``_EqualShares._remember``); later runs start from a copy of
    that money instead of paying those rounds again.

    Such certified runs let the search jump ahead (the jump doubles after each success, within
    where prices extrapolated from the last two runs would change the outcome, and shrinks after a
    failure); where no jump can be certified it moves by 1, exactly as Add1. The outcome is
    therefore the one Add1 computes increment by increment — the idea of computing "the next
    budget at which the outcome can change" from Kraiczy, Robinson and Elkind, "Streamlining Equal
    Shares" (2025), here as a check rather than a formula.
"""

from __future__ import annotations

import functools
import heapq
import itertools
import math
import operator
from collections import Counter, deque
from collections.abc import Collection, Iterator, Mapping, Sequence
from fractions import Fraction
from itertools import repeat

from pb.counting.model import (
    APPROVAL,
    DID_NOT_FIT,
    FUNDED,
    FUNDED_IN_COMPLETION,
    NO_VOTES,
    NOT_ENOUGH_MONEY,
    Election,
    Outcome,
    Project,
    ProjectResult,
)


def tie_break_key(project_id: str, cost: int, votes: int) -> tuple[int, int, str]:
    """Sorts first the project that wins a tie: cheaper, then more votes, then smaller id."""
    return (cost, -votes, project_id)


def greedy(election: Election) -> Outcome:
    """Fund projects in decreasing order of votes, skipping those that no longer fit."""
    votes = election.support()
    supporters = election.supporters()
    remaining = election.budget
    results: dict[str, ProjectResult] = {}
    funded: list[str] = []
    for project in _greedy_order(election, votes, supporters, already=()):
        if project.cost <= remaining:
            remaining -= project.cost
            funded.append(project.id)
            results[project.id] = ProjectResult(
                project.id, FUNDED, votes[project.id], project.cost, position=len(funded)
            )
        else:
            results[project.id] = ProjectResult(
                project.id,
                DID_NOT_FIT,
                votes[project.id],
                project.cost,
                remaining_budget=remaining,
            )
    return _outcome("greedy", election, funded, results, votes)


def _greedy_order(
    election: Election,
    votes: Mapping[str, int],
    supporters: Mapping[str, int],
    already: Collection[str],
) -> list[Project]:
    candidates = [p for p in election.projects if supporters[p.id] > 0 and p.id not in already]
    return sorted(
        candidates, key=lambda p: (-votes[p.id], tie_break_key(p.id, p.cost, votes[p.id]))
    )


def _outcome(
    rule: str,
    election: Election,
    funded: list[str],
    results: dict[str, ProjectResult],
    votes: Mapping[str, int],
    voter_share: Fraction | None = None,
    increments: int | None = None,
) -> Outcome:
    for project in election.projects:
        if project.id not in results:
            results[project.id] = ProjectResult(
                project.id, NO_VOTES, votes[project.id], project.cost
            )
    cost = election.project_by_id
    return Outcome(
        rule=rule,
        funded=tuple(funded),
        total_cost=sum(cost[project_id].cost for project_id in funded),
        budget=election.budget,
        projects={p.id: results[p.id] for p in election.projects},
        voter_share=voter_share,
        increments=increments,
    )


def equal_shares(election: Election, complete_greedy: bool = False) -> Outcome:
    """The Method of Equal Shares with the Add1 completion, then greedy if ``complete_greedy``."""
    votes = election.support()
    supporters = election.supporters()
    rule = "equal-shares+greedy" if complete_greedy else "equal-shares"
    if not election.ballots:
        return _outcome(rule, election, [], {}, votes)
    mes = _EqualShares(election, votes, supporters)
    run, increments = mes.add1()
    results: dict[str, ProjectResult] = {}
    funded: list[str] = []
    money = run.supporters_money()
    for j, price, poor in zip(run.funded, run.prices, run.poor):
        project_id = mes.ids[j]
        funded.append(project_id)
        results[project_id] = ProjectResult(
            project_id,
            FUNDED,
            votes[project_id],
            mes.cost[j],
            position=len(funded),
            price=price,
            paid_all=poor,
        )
    remaining = election.budget - sum(mes.cost[j] for j in run.funded)
    if complete_greedy:
        for project in _greedy_order(election, votes, supporters, already=set(funded)):
            money_left = money[mes.index[project.id]]
            if project.cost <= remaining:
                remaining -= project.cost
                funded.append(project.id)
                results[project.id] = ProjectResult(
                    project.id,
                    FUNDED_IN_COMPLETION,
                    votes[project.id],
                    project.cost,
                    position=len(funded),
                    supporters_money=money_left,
                )
            else:
                results[project.id] = ProjectResult(
                    project.id,
                    DID_NOT_FIT,
                    votes[project.id],
                    project.cost,
                    supporters_money=money_left,
                    remaining_budget=remaining,
                )
    for j, project_id in enumerate(mes.ids):
        if project_id not in results:
            results[project_id] = ProjectResult(
                project_id,
                NOT_ENOUGH_MONEY,
                votes[project_id],
                mes.cost[j],
                supporters_money=money[j],
            )
    return _outcome(
        rule, election, funded, results, votes, voter_share=run.share, increments=increments
    )


def equal_shares_as_pabulib_checker(election: Election) -> tuple[str, ...]:
    """The projects Equal Shares funds by the Add1 loop of pabulib's checker (1.0.8), which
    differs from pabutools' (``equal_shares``) in two ways: after the run at ``budget / voters``
    it tries whole shares ``floor(budget / voters) + 1, + 2...``, and it goes on until an outcome
    overspends, also past one that leaves nothing fitting. The .pb export uses it to tell whether
    the checker's recount of a file agrees with pb's count. Approval ballots (the checker counts
    only those); ties as in ``equal_shares``, where the checker gives up instead.
    """
    votes, supporters = election.support(), election.supporters()
    if not election.ballots:
        return ()
    mes = _EqualShares(election, votes, supporters)
    if sum(mes.cost) <= election.budget:
        return tuple(mes.ids)  # its loop would never end; every project is funded anyway
    run, _ = mes.add1(whole_shares=True, stop_when_spent=False)
    return tuple(mes.ids[j] for j in run.funded)


class _EqualShares:
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
        # Per project, its supporters' ballot types: those cast once (``single``) and those cast
        # n > 1 times (``multiple``, with n), each with the points given; ``types_of`` all of them.
        types_of: list[list[int]] = [[] for _ in range(count)]
        points_of: list[list[int]] = [[] for _ in range(count)]
        single: list[tuple[list[int], list[int]]] = [([], []) for _ in range(count)]
        multiple: list[tuple[list[int], list[int], list[int]]] = [
            ([], [], []) for _ in range(count)
        ]
        neighbours: list[set[int]] = [set() for _ in range(count)]
        mult_of: list[list[int]] = [[] for _ in range(count)]
        for v, (items, n) in enumerate(self.types):
            for j, w in items:
                types_of[j].append(v)
                points_of[j].append(w)
                mult_of[j].append(n)
                if n == 1:
                    single[j][0].append(v)
                    single[j][1].append(w)
                else:
                    multiple[j][0].append(v)
                    multiple[j][1].append(w)
                    multiple[j][2].append(n)
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
            by_points = Counter(single[j][1])
            for w, n in zip(multiple[j][1], multiple[j][2]):
                by_points[w] += n
            self.points.append(sum(w * n for w, n in by_points.items()))
            if self.weighted:
                self.initial.append(dict(by_points))
            else:
                self.initial.append({0: sum(by_points.values())})
        # Projects by their lowest possible price (cost / points given to it): see ``_remember``.
        self.cheapest_first = sorted(
            range(count), key=lambda j: self._entry(j, self._lowest_price(j))[:3]
        )
        self.snapshot: _Snapshot | None = None
        self.use_snapshots = True

    def add1(self, whole_shares: bool = False, stop_when_spent: bool = True) -> tuple[_Run, int]:
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
        32 increments after successive failures (outcomes that change at almost every increment
        are then counted almost as pabutools counts them, one run per increment).
        """
        first = Fraction(self.budget, self.voters)
        base = Fraction(self.budget // self.voters) if whole_shares else first
        current, k = self.run(first), 0
        previous = None  # an earlier run funding the same sequence, to extrapolate from
        # ``prefix`` is certified for increments low..high, ``bounds`` the prices after it then.
        prefix: tuple[int, ...] = ()
        bounds: list[_Entry] = []
        low, high = 0, 0
        width, wait, misses = 2, 0, 0
        while not (self.exhausts(current) if stop_when_spent else self.funds_all(current)):
            if width >= 2 and previous is not None:
                crossing = self.predict(previous, current)
                if crossing is not None:
                    width = min(width, math.ceil(crossing - base) - 1 - k)
            if width >= 2:
                target = k + width
                inside = low <= k and target <= high
                ahead, rounds, after = self.certify(
                    current, base + target, prefix if inside else (), bounds if inside else []
                )
                if ahead is not None:
                    previous, current, k = current, ahead, target
                    # A jump of 2 saves one run for the price of one: it is no sign that
                    # jumping pays here.
                    width, misses = 2 * width, (0 if width > 2 else misses)
                    continue
                if rounds > (len(prefix) if low <= k + 1 <= high else -1):
                    prefix, bounds, low, high = tuple(current.funded[:rounds]), after, k, target
                misses += 1
                width //= 4
                if width < 2:
                    wait = 2 ** min(misses, 5)
                continue
            covered = low <= k + 1 <= high
            # Rivals serve to extrapolate, which is only done while the outcome holds still.
            following = self.run(
                base + k + 1,
                prefix if covered else (),
                bounds if covered else [],
                rivals=previous is not None and wait <= 1,
            )
            if self.total(following) > self.budget:
                return current, k
            previous = current if following.funded == current.funded else None
            current, k = following, k + 1
            wait -= 1
            if wait <= 0 and previous is not None:
                width = 2
        return current, k

    def predict(self, before: _Run, after: _Run) -> Fraction | None:
        """Where, extrapolating prices linearly from two runs funding the same sequence, some
        round's closest rival would become cheaper than the project funded; only a guess, used
        to choose the next jump (which is then certified)."""
        step = after.share - before.share
        first = None
        for r, rival in enumerate(after.rivals):
            earlier = before.rivals[r]
            if rival is None or earlier is None or rival[3] != earlier[3]:
                continue
            gap_after = rival[1].value - after.bests[r][1].value
            gap_before = earlier[1].value - before.bests[r][1].value
            if gap_before > gap_after:
                crossing = after.share + gap_after * step / (gap_before - gap_after)
                if first is None or crossing < first:
                    first = crossing
        return first

    def total(self, run: _Run) -> int:
        return sum(self.cost[j] for j in run.funded)

    def funds_all(self, run: _Run) -> bool:
        return len(run.funded) == len(self.ids)

    def exhausts(self, run: _Run) -> bool:
        left = self.budget - self.total(run)
        funded = set(run.funded)
        return all(self.cost[j] > left for j in range(len(self.ids)) if j not in funded)

    def _entry(self, j: int, found: _Price) -> _Entry:
        """A heap entry: (price per unit of satisfaction, tie-break key, project, t, poor);
        the price is floor(rho * RHO_SCALE) followed by rho itself, compared exactly only when
        those integers tie."""
        t, scaled, poor = found
        return (scaled, _Ratio(t, self.scale[j]), self.key[j], j, t, poor)

    def _start(
        self, share: Fraction, forced: tuple[int, ...] = (), seed: Sequence[_Entry] = ()
    ) -> tuple[_Run, list[_Entry]]:
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
            result = _Run(share, state=state)
            for j in known:
                result.add(self._entry(j, self._lowest_price(j)), None)
            forced = known + forced[len(known) :]
        else:
            state = _State(self, share)
            result = _Run(share, state=state)
        for j in forced[len(known) :]:
            price = state.price(j)
            assert price is not None, "a forced round was certified affordable at this share"
            entry = self._entry(j, price)
            result.add(entry, None)
            state.pay(j, entry[4])
        if seed:
            heap = [entry for entry in seed if state.alive[entry[3]]]
            for entry in heap:
                state.stale[entry[3]] = True
            heapq.heapify(heap)
            return result, heap
        heap = []
        for j in range(len(self.ids)):
            if not state.alive[j]:
                continue
            found: _Price | None
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

    def _lowest_price(self, j: int) -> _Price:
        points = self.points[j]
        return (
            Fraction(self.cost[j], points),
            self.cost[j] * RHO_SCALE // (points * self.scale[j]),
            0,
        )

    def _top(self, state: _State, heap: list[_Entry]) -> _Entry | None:
        """The heap's first entry once it is exact (prices of projects whose supporters paid
        since are only lower bounds, as prices never fall during a run); None when empty."""
        while heap:
            j = heap[0][3]
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
        seed: Sequence[_Entry] = (),
        rivals: bool = True,
    ) -> _Run:
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
            if keep_from is not None and (entry[3] != self.cheapest_first[rounds] or entry[5]):
                if rounds >= keep_from:
                    kept = self._kept(result, state)
                keep_from = None
            result.add(entry, self._top(state, heap) if rivals else None)
            if state.pay(entry[3], entry[4]):
                keep_from = None  # somebody has nothing left: _remember stops before
        if keep_from is not None and len(result.funded) >= keep_from:
            kept = self._kept(result, state)
        if kept is not None:
            self.snapshot = kept
        else:
            self._remember(result)
        return result

    def _kept(self, run: _Run, state: _State) -> _Snapshot:
        """The money of ``state`` after ``run``'s rounds so far, for later runs: a copy, in which
        only the projects funded are out (this run found others unaffordable at its share)."""
        copy = state.translated(Fraction(0))
        copy.alive = [True] * len(self.ids)
        for j in run.funded:
            copy.alive[j] = False
        return _Snapshot(run.share, tuple(run.funded), copy)

    def _worth_keeping(self, run: _Run) -> int | None:
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

    def _remember(self, run: _Run) -> None:
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
        state = _State(self, run.share)
        funded = []
        for j, price in zip(run.funded[:rounds], run.prices[:rounds]):
            state.pay(j, price)
            if -1 in state.type_class:  # somebody was left with nothing: stop before
                break
            funded.append(j)
        else:
            self.snapshot = _Snapshot(run.share, tuple(funded), state)
            return
        if len(funded) >= max(2, known + 2):
            state = _State(self, run.share)
            for j in funded:
                state.pay(j, self._lowest_price(j)[0])
            self.snapshot = _Snapshot(run.share, tuple(funded), state)

    def certify(
        self,
        before: _Run,
        share: Fraction,
        forced: tuple[int, ...] = (),
        seed: Sequence[_Entry] = (),
    ) -> tuple[_Run | None, int, list[_Entry]]:
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
        ends. See the module docstring.
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
            if top is None or top[3] != before.funded[r]:
                return None, r, bounds
            entry = heapq.heappop(heap)
            affine = affine and entry[5] == before.poor[r]
            bar = before.bests[r]
            rival = self._top(state, heap)
            checked = []
            while True:
                top = self._top(state, heap)
                if top is None or top[:3] > bar:
                    break
                if not affine:
                    return None, r, bounds
                if replay is None:
                    replay = _State(self, before.share)
                while replayed < r:
                    replay.pay(before.funded[replayed], before.prices[replayed])
                    replayed += 1
                p = top[3]
                found = replay.price(p)
                if (
                    found is None
                    or found[2] != top[5]
                    or not bar < self._entry(p, found)[:3]
                    or not entry[:3] < top[:3]
                ):
                    return None, r, bounds
                checked.append(heapq.heappop(heap))
            for other in checked:
                heapq.heappush(heap, other)
            result.add(entry, rival)
            state.pay(entry[3], entry[4])
        if self._top(state, heap) is not None:
            return None, len(before.funded), list(heap)
        return result, len(before.funded), []


@functools.total_ordering
class _Ratio:
    """t / scale, compared exactly. Unhashable, as it defines ``__eq__`` and no ``__hash__``."""

    __slots__ = ("t", "scale")

    def __init__(self, t: Fraction, scale: int) -> None:
        self.t = t
        self.scale = scale

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, _Ratio):
            return NotImplemented
        return self.t * other.scale == other.t * self.scale

    def __lt__(self, other: _Ratio) -> bool:
        return self.t * other.scale < other.t * self.scale

    @property
    def value(self) -> Fraction:
        return self.t / self.scale


# Money is exact: within a run every amount is an integer number of 1/D, for a common
# denominator D that grows as rounds need it. To compare amounts quickly, each also carries
# floor(amount * SCALE), and exact products are computed only where those integers tie.
SCALE = 1 << 40
RHO_SCALE = 1 << 64

#: A price found for a project: (t, floor(t / scale * RHO_SCALE), supporters who cannot pay t
#: per point in full).
_Price = tuple[Fraction, int, int]
#: A project's price per unit of satisfaction with its tie-break key, compared as a whole:
#: (floor(rho * RHO_SCALE), rho exactly, tie-break key). See ``_EqualShares._entry``.
_Best = tuple[int, _Ratio, tuple[int, int, str]]
#: A heap entry: a ``_Best``, then the project, its price per point, and its poor supporters.
_Entry = tuple[int, _Ratio, tuple[int, int, str], int, Fraction, int]
#: A round's closest rival, as recorded in a run: a heap entry's ``_Best`` and project.
_Rival = tuple[int, _Ratio, tuple[int, int, str], int]


class _Snapshot:
    """The voters' money at ``share`` after the first rounds, funding ``funded``, that every
    run at a larger share begins with (see ``_EqualShares._remember``)."""

    __slots__ = ("share", "funded", "state")

    def __init__(self, share: Fraction, funded: tuple[int, ...], state: _State) -> None:
        self.share, self.funded, self.state = share, funded, state


class _Run:
    """One run of Equal Shares at a given share per voter: per round, the funded project, its
    price per point (``prices``; per approval on approval ballots), its price per unit of
    satisfaction with its tie-break key (``bests``, as in heap entries), how many of its
    supporters paid all they had left (``poor``), and its closest rival's heap entry."""

    __slots__ = ("share", "funded", "prices", "bests", "poor", "rivals", "state")

    def __init__(self, share: Fraction, state: _State) -> None:
        self.share = share
        self.funded: list[int] = []
        self.prices: list[Fraction] = []
        self.bests: list[_Best] = []
        self.poor: list[int] = []
        self.rivals: list[_Rival | None] = []
        self.state = state

    def add(self, entry: _Entry, rival: _Entry | None) -> None:
        self.funded.append(entry[3])
        self.prices.append(entry[4])
        self.bests.append(entry[:3])
        self.poor.append(entry[5])
        self.rivals.append(rival and rival[:4])

    def supporters_money(self) -> list[Fraction]:
        return self.state.supporters_money()


class _State:
    """Voters' money during one run.

    Voters with the same ballot and the same money left form a class; ``type_class`` gives each
    ballot type's class (-1 once it has nothing left). Class c holds ``units[c]`` / D(``epoch[c]``),
    which is ``units[c] * factor[epoch[c]]`` in units of the current 1/D. A project's holders
    count its supporters per class (per (class, points) on points ballots); they are recounted
    only when some of them paid since.
    """

    def __init__(self, mes: _EqualShares, share: Fraction) -> None:
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

    def translated(self, more: Fraction) -> _State:
        """A copy in which every voter holds ``more`` besides (nobody may hold nothing)."""
        copy = _State.__new__(_State)
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
            single_types, single_points = mes.single[j]
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

    def price(self, j: int) -> _Price | None:
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
            single_types = mes.single[j][0]
            multiple_types, _, multiplicity = mes.multiple[j]
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

    def _price(self, j: int, top: int, bottom: int, poor: int) -> _Price:
        return Fraction(top, bottom), top * RHO_SCALE // (bottom * self.mes.scale[j]), poor

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
        new = map(moved.__getitem__, held)
        deque(map(type_class.__setitem__, mes.types_of[j], new), 0)
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
