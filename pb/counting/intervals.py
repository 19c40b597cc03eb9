"""Runs of Equal Shares on bounds of the voters' money: fast, and exact in every decision.

A run of the rule makes few kinds of decisions: which project is funded in a round (the lowest
price per unit of satisfaction, ties by the tie-break key) and which projects are still
affordable. Money itself only feeds those decisions. So here a voter's money is not kept
exactly but between two whole numbers of 1/2**S of a currency unit, ``low`` and ``high``, in one
numpy array each (one entry per ballot type), and every quantity derived from it is kept between
bounds that are exact rationals:

- A project's price ``T`` per point (the water level: ``sum over supporters of min(money,
  T * points) = cost``) falls as its supporters hold more, so ``T`` computed on ``high`` is a
  lower bound and ``T`` computed on ``low`` an upper bound. (The lower bound is computed from the
  supporters found short on ``low``: for any set of supporters ``M``, ``cost <= sum over M of
  money + T * (points outside M)``, which bounds ``T`` from below whatever ``M`` is.)
- After a payment a supporter holds ``max(0, money - T * points)``: rounding the payment up
  on ``low`` and down on ``high`` keeps the exact amount between them.
- A project is funded only where its upper bound is below every rival's lower bound (or equal,
  with the better tie-break key); a project is dropped only where its supporters' ``high`` total
  is short of its cost.

Where the bounds cannot tell (two prices exactly equal, a project exactly affordable), the run
gives up and returns None, and the caller counts that share exactly (pb.counting.mes). On real
elections that is rare: the bounds are a few billionths of a currency unit apart.

Arithmetic is integer: numpy's int64 for the arrays (S is chosen so that no sum can overflow)
and Python's integers and fractions for the prices. A price is compared first by two integers,
floor and ceiling of its bounds times 2**100 (``Price.low_key``, ``high_key``), and exactly only
when those overlap.

Two runs help each other. At a smaller share, every project's price in a round is at least its
price at a larger share after the same funded projects (every voter holds at least as much there:
see ``EqualShares.certify_jump`` in pb.counting.mes). So a run records, per round, the lower
bounds it held (``IntervalRun.bounds``) and who was short of the winner's price, and a run at a
smaller share that has funded the same projects so far starts each round from them (``above``):
it recomputes only the prices that could beat the round's winner, instead of every price its
own payments made stale, and finds the winner's water level in about one step. Add1 therefore
counts a block of increments from the top down (pb.counting.mes).
"""

from __future__ import annotations

import heapq
import itertools
import operator
from collections.abc import Sequence
from fractions import Fraction
from typing import TYPE_CHECKING, NamedTuple

import numpy as np

if TYPE_CHECKING:
    from pb.counting.mes import EqualShares

#: Prices' integer keys are floor/ceiling of (price per unit of satisfaction) * 2**KEY_BITS.
KEY_BITS = 100
#: Fewer bits than this for a fraction of a currency unit and a run is not worth trying.
MIN_SCALE_BITS = 8
#: Steps a guess of the short supporters gets to settle (see ``_Run._fixed_point``).
GUESS_STEPS = 3
#: Above anyone's money in a run (money times 2**S stays below 2**62).
CEILING = 1 << 62


class Price(NamedTuple):
    """Bounds of a project's price in one run: ``low_key`` <= price * 2**KEY_BITS <=
    ``high_key``, and exactly, ``low`` <= T <= ``high`` per point, in units of 1/2**S as
    (numerator, denominator) pairs."""

    low_key: int
    high_key: int
    low: tuple[int, int]
    high: tuple[int, int]


#: A heap entry: (low_key, tie-break key, project, price); entries compare by the first two.
Entry = tuple[int, tuple[int, int, str], int, Price]


class IntervalRun:
    """The decisions of one run at ``share``: the projects funded, in order, and per round the
    lower bounds of the prices that the run held (``bounds``: by project, the heap entries of
    those still affordable and not funded before the round, the winner's included), the winner's
    entry (``winners``, whose upper bound ``certify_jump`` compares with) and its supporters who
    were short of its price (``shorts``). The last ``bounds`` is empty: nothing was affordable."""

    __slots__ = ("share", "funded", "bounds", "winners", "S", "shorts")

    def __init__(self, share: Fraction) -> None:
        self.share = share
        self.funded: list[int] = []
        self.bounds: list[dict[int, Entry]] = []
        self.winners: list[Entry] = []
        self.S = 0  # the scale of ``winners``' exact prices
        # Per round, the winner's supporters short of its price (None: nobody was).
        self.shorts: list[np.ndarray | None] = []


def _rho(mes: EqualShares, j: int, t: tuple[int, int], S: int) -> Fraction:
    """The exact price per unit of satisfaction of project j's price t per point (in units of
    1/2**S)."""
    return Fraction(t[0], (t[1] * mes.scale[j]) << S)


class _Undecided(Exception):
    """Raised inside a run when its bounds cannot decide; the run returns None."""


class Intervals:
    """The election's ballots as numpy arrays, and runs of Equal Shares on them."""

    def __init__(self, mes: EqualShares) -> None:
        self.mes = mes
        self.type_count = len(mes.times)
        self.voters = sum(mes.times)
        # Per project: its supporters' ballot types, the points each gave it, how many cast each.
        self.supporters = [arrays.types for arrays in mes.arrays]
        self.points = [arrays.points for arrays in mes.arrays]
        self.times = [arrays.times for arrays in mes.arrays]
        self.weighted = mes.weighted
        self.most_points = [int(points.max()) for points in self.points]
        # Voters supporting each project, and the points they gave it, in all.
        self.backers = mes.supporter_count
        self.total_points = mes.points
        # Per S, each project's price when every supporter can pay cost / points (first_round).
        self.opening: dict[int, list[Price]] = {}

    def scale_bits(self, share: Fraction) -> int:
        """S for a run at ``share``: the voters' money in all, times 2**S, stays below 2**62."""
        return 62 - (self.voters * (share.numerator // share.denominator + 1)).bit_length()

    def run(
        self,
        share: Fraction,
        above: Sequence[IntervalRun] = (),
        before: IntervalRun | None = None,
        record: bool = True,
    ) -> IntervalRun | None:
        """One run at ``share``, or None where its bounds cannot decide.

        ``above``: runs at larger shares, nearest first, whose bounds start each round while one
        of them has funded the same projects as this run (see ``_Run.count``). ``before``: a run at a smaller share that this run must
        repeat with room to spare (see ``EqualShares.certify_jump``); None if it does not.
        ``record``: keep the rounds' bounds, for runs to come.
        """
        S = self.scale_bits(share)
        if S < MIN_SCALE_BITS:
            return None
        try:
            return _Run(self, share, S, above, before, record).count()
        except _Undecided:
            return None


class _Run:
    """The state of one run: money bounds per ballot type, the heap of prices."""

    def __init__(
        self,
        intervals: Intervals,
        share: Fraction,
        S: int,
        above: Sequence[IntervalRun],
        before: IntervalRun | None,
        record: bool,
    ) -> None:
        self.iv = intervals
        self.mes = intervals.mes
        self.S = S
        self.share = share
        self.above = above
        self.before = before
        self.record = record
        scaled = share * (1 << S)
        self.low = np.full(intervals.type_count, scaled.numerator // scaled.denominator, np.int64)
        self.high = np.full(
            intervals.type_count, -(-scaled.numerator // scaled.denominator), np.int64
        )
        count = len(self.mes.ids)
        self.stale = [False] * count
        # Per project, the supporters found short of its price last time (see ``price``).
        self.short: list[np.ndarray | None] = [None] * count
        # Per project, the water level on ``low`` last found, as (top, bottom).
        self.level: list[tuple[int, int] | None] = [None] * count
        # Supporters' money as read by ``price`` since the last payment, per project: (low,
        # high or None), for ``pay`` not to read it again.
        self.gathered: dict[int, tuple[np.ndarray, np.ndarray | None]] = {}
        # This round's guesses of who is short, from a run above (see ``_fixed_point``).
        self.guesses: dict[int, np.ndarray] = {}
        self.result = IntervalRun(share)
        self.result.S = S

    def price(self, j: int) -> Price | None:
        """Bounds of project j's price per point, or None if its supporters certainly hold too
        little; raises _Undecided where that cannot be told.

        The water level on ``low`` is found by the usual fixed point: supporters holding less
        than the level pay all they have, the others share the rest. It starts from the
        supporters found short the last time (they still are: money only falls during a run,
        and the level only rises).
        """
        iv = self.iv
        supporters = iv.supporters[j]
        cost = self.mes.cost[j] << self.S
        total = iv.total_points[j]
        low = self.low.take(supporters)
        self.gathered[j] = (low, None)
        guess = self.guesses.get(j)
        found = None
        if guess is not None:
            found = self._fixed_point(j, low, guess, cost, total, exact_check=True)
        if found is None:
            # Supporters short of the last level found, or of cost / points the first time, are
            # short now (money only falls during a run, and the level only rises).
            top, bottom = self.level[j] or (cost, total)
            if iv.weighted:
                short = low < self._per_point(top, bottom, j, up=True)[iv.points[j]]
            else:
                level = -(-top // bottom)
                if self.level[j] is None and int(low.min()) >= level:
                    # Nobody is short: the price is cost / points.
                    return self._price(j, (cost, total), (cost, total))
                short = low < level
            found = self._fixed_point(j, low, short, cost, total, exact_check=False)
        if found is None:  # every supporter pays all she has, on ``low``
            if int(np.dot(iv.times[j], self.high.take(supporters))) < cost:
                return None
            raise _Undecided
        short, top, bottom, their_times, short_points = found
        self.short[j] = short
        self.level[j] = (top, bottom)
        if short_points == 0:
            return self._price(j, (top, bottom), (top, bottom))
        # The lower bound: the same short supporters, holding ``high``.
        high = self.high.take(supporters)
        self.gathered[j] = (low, high)
        held_high = int(np.dot(their_times, high))
        return self._price(j, (cost - held_high, bottom), (top, bottom))

    def _fixed_point(
        self, j: int, low: np.ndarray, short: np.ndarray, cost: int, total: int, exact_check: bool
    ) -> tuple[np.ndarray, int, int, np.ndarray, int] | None:
        """The supporters short of the water level on ``low``, found from ``short``, with the
        level (top / bottom) and their times and points; None if everyone is short.

        From a set of supporters that are all short (``exact_check`` False), each step can only
        add supporters, so a step that adds none has reached the level. From a mere guess
        (``exact_check`` True: the short supporters of a run at a larger share), the steps stop
        only when the set comes back exactly the same: then it is the level's, as only one
        level solves sum of min(money, T * points) = cost; a guess that does not settle within
        a few steps gives up (None), and the caller starts from a safe set instead.
        """
        iv = self.iv
        times, points = iv.times[j], iv.points[j] if iv.weighted else None
        counted = int(np.count_nonzero(short))
        for _ in itertools.count() if not exact_check else range(GUESS_STEPS):
            their_times = times * short
            held = int(np.dot(their_times, low))
            short_points = int(
                np.dot(their_times, points) if points is not None else their_times.sum()
            )
            top, bottom = cost - held, total - short_points
            if bottom <= 0:
                return None
            if points is None:
                more_short = low < -(-top // bottom)
            else:
                more_short = low < self._per_point(top, bottom, j, up=True)[points]
            if exact_check:
                if np.array_equal(more_short, short):
                    return short, top, bottom, their_times, short_points
                short = more_short
                continue
            now = int(np.count_nonzero(more_short))
            if now == counted:
                return short, top, bottom, their_times, short_points
            short, counted = more_short, now
        return None

    def _per_point(self, top: int, bottom: int, j: int, up: bool) -> np.ndarray:
        """T * w rounded up (``up``) or down, for w = 0..the most points project j was given,
        T = top / bottom; more than anyone holds is cut to CEILING, which is the same for
        comparing or paying. A supporter who gave w points and holds b (a whole number) is
        short of T * w exactly when b < ceil(T * w)."""
        sign = -1 if up else 1  # ceil(x) = -floor(-x)
        return np.array(
            [
                min(sign * (sign * top * w // bottom), CEILING)
                for w in range(self.iv.most_points[j] + 1)
            ],
            dtype=np.int64,
        )

    def _price(self, j: int, low: tuple[int, int], high: tuple[int, int]) -> Price:
        scale = self.mes.scale[j]
        shift = KEY_BITS - self.S
        return Price(
            (low[0] << shift) // (low[1] * scale),
            -(-(high[0] << shift) // (high[1] * scale)),
            low,
            high,
        )

    def rho(self, j: int, t: tuple[int, int]) -> Fraction:
        return _rho(self.mes, j, t, self.S)

    def first_round(self) -> list[Entry]:
        """Every project's price with all voters holding the share: cost / points where that
        leaves every supporter able to pay (the same at every share, kept per S by
        ``Intervals.opening``), else as any round counts it."""
        mes, iv = self.mes, self.iv
        opening = iv.opening.get(self.S)
        if opening is None:
            opening = iv.opening[self.S] = [
                self._price(j, (mes.cost[j] << self.S, total), (mes.cost[j] << self.S, total))
                for j, total in enumerate(iv.total_points)
            ]
        top, bottom = self.share.numerator, self.share.denominator
        heap: list[Entry] = []
        for j, cost in enumerate(mes.cost):
            if top * iv.backers[j] < cost * bottom:
                continue  # all its supporters together hold less than its cost
            if top * iv.total_points[j] >= cost * iv.most_points[j] * bottom:
                found: Price | None = opening[j]
            else:
                found = self.price(j)
            if found is not None:
                heap.append((found.low_key, mes.key[j], j, found))
        heapq.heapify(heap)
        return heap

    def settle(self, heap: list[Entry], seeds: dict[int, Entry] | None) -> None:
        """Make the heap's first entry an exact bound of this round's price (or drop it)."""
        stale, key = self.stale, self.mes.key
        while heap:
            j = heap[0][2]
            if not stale[j]:
                return
            if seeds is not None:
                seeded = seeds.get(j)
                if seeded is None:  # unaffordable at the larger share: here too
                    heapq.heappop(heap)
                    stale[j] = False
                    continue
                if seeded[0] > heap[0][0]:
                    heapq.heapreplace(heap, seeded)  # still stale: a lower bound only
                    continue
            stale[j] = False
            found = self.price(j)
            if found is None:
                heapq.heappop(heap)
            else:
                heapq.heapreplace(heap, (found.low_key, key[j], j, found))

    def beats(self, winner: Entry, other: Entry) -> bool:
        """Whether ``winner`` certainly comes before ``other`` (both bounds of this round)."""
        if winner[3].high_key < other[0]:
            return True
        a = self.rho(winner[2], winner[3].high)
        b = self.rho(other[2], other[3].low)
        return a < b or (a == b and winner[1] < other[1])

    def count(self) -> IntervalRun:
        heap = self.first_round()
        result, before = self.result, self.before
        # A run above gives its bounds of a round while it had funded, before that round, what
        # this run has funded so far; the nearest such run gives them (its prices are closest).
        # When no run above has funded the same, the last bounds given still hold (prices only
        # rise during a run). After a run's last round it held nothing.
        matching = list(self.above)
        seeds: dict[int, Entry] | None = None
        while True:
            r = len(result.funded)
            if matching and r > 0:
                last = result.funded[-1]
                matching = [
                    run for run in matching if r <= len(run.funded) and run.funded[r - 1] == last
                ]
            self.guesses = {}
            if matching:
                nearest = matching[0]
                seeds = nearest.bounds[r]
                guess = nearest.shorts[r] if r < len(nearest.funded) else None
                if guess is not None:
                    self.guesses[nearest.funded[r]] = guess
            self.settle(heap, seeds)
            if not heap:
                break
            if before is not None and r >= len(before.funded):
                raise _Undecided  # something more is affordable here
            winner = heapq.heappop(heap)
            bar_key = before.winners[r][3].high_key if before is not None else -1
            # Every project whose lower bound may be below the winner's upper bound (or the
            # bar) is priced exactly for this round and compared.
            limit = max(winner[3].high_key, bar_key)
            checked = []
            while heap and heap[0][0] <= limit:
                if self.stale[heap[0][2]]:
                    self.settle(heap, seeds)
                    continue
                other = heapq.heappop(heap)
                if not self.beats(winner, other):
                    raise _Undecided
                if before is not None and other[0] <= bar_key:
                    bar = before.winners[r]
                    bar_rho = _rho(self.mes, bar[2], bar[3].high, before.S)
                    rho = self.rho(other[2], other[3].low)
                    if not (bar_rho < rho or (bar_rho == rho and winner[1] < other[1])):
                        raise _Undecided
                checked.append(other)
            for other in checked:
                heapq.heappush(heap, other)
            j = winner[2]
            if before is not None and j != before.funded[r]:
                raise _Undecided
            if self.record:
                bounds = dict(zip(map(operator.itemgetter(2), heap), heap))
                bounds[j] = winner
                result.bounds.append(bounds)
                result.shorts.append(self.short[j])
            result.winners.append(winner)
            result.funded.append(j)
            self.pay(j, winner[3])
        if before is not None and len(result.funded) != len(before.funded):
            raise _Undecided
        if self.record:
            result.bounds.append({})  # nothing is affordable any more
        return result

    def pay(self, j: int, found: Price) -> None:
        """Project j's supporters pay: each ``max(0, money - T * points)``, with T rounded up on
        ``low`` and down on ``high``."""
        supporters = self.iv.supporters[j]
        (low_top, low_bottom), (high_top, high_bottom) = found.low, found.high
        up: np.ndarray | int
        down: np.ndarray | int
        if self.iv.weighted:
            points = self.iv.points[j]
            up = self._per_point(high_top, high_bottom, j, up=True)[points]
            down = self._per_point(low_top, low_bottom, j, up=False)[points]
        else:
            up = -(-high_top // high_bottom)
            down = low_top // low_bottom
        low, high = self.gathered.get(j, (None, None))
        for money, held, paid in ((self.low, low, up), (self.high, high, down)):
            if held is None:
                held = money.take(supporters)
            held -= paid
            np.maximum(held, 0, out=held)
            money[supporters] = held
        self.gathered.clear()
        stale = self.stale
        for other in self.mes.neighbours[j]:
            stale[other] = True
