"""Random elections for the comparison tests and the bench, reproducible from a seed.

They are built to meet the awkward cases: equal costs and equal votes (ties), projects dearer than
the whole budget, projects nobody votes for, empty ballots, and points ballots.
"""

from __future__ import annotations

import random

from pb.counting.model import APPROVAL, CUMULATIVE, Election, Project


def random_election(
    seed: int,
    voters: int | None = None,
    projects: int | None = None,
    vote_type: str | None = None,
) -> Election:
    rng = random.Random(seed)
    vote_type = vote_type or rng.choice((APPROVAL, CUMULATIVE))
    count = projects or rng.randint(2, 10)
    voters = voters or rng.randint(1, 40)
    budget = rng.choice((10, 30, 60, 100, 250, 1000, 4999))
    # Few distinct costs, so that ties in cost are common; some above the budget.
    shares = (0.03, 0.05, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.8, 1.5)
    costs = [max(1, round(budget * f)) for f in rng.sample(shares, k=rng.randint(1, 4))]
    project_list = [
        Project(f"p{i}" if rng.random() < 0.7 else str(i), rng.choice(costs)) for i in range(count)
    ]
    # Some projects get no votes at all; popularity varies, and often ties.
    weights = [rng.choice((0, 1, 1, 2, 3)) for _ in project_list]
    if not any(weights):
        weights[0] = 1
    ballots = []
    for _ in range(voters):
        if rng.random() < 0.05:
            ballots.append({})
            continue
        size = rng.randint(1, max(1, min(count, 4)))
        chosen = set()
        for _ in range(size):
            chosen.add(rng.choices(project_list, weights=weights)[0].id)
        if vote_type == APPROVAL:
            ballots.append(dict.fromkeys(sorted(chosen), 1))
        else:
            total = rng.choice((3, 5, 10))
            ballot = {}
            for project_id in sorted(chosen):
                ballot[project_id] = rng.randint(1, max(1, total // len(chosen)))
            ballots.append(ballot)
    return Election(budget=budget, projects=project_list, ballots=ballots, vote_type=vote_type)


def large_election(seed: int, voters: int, projects: int, vote_type: str = APPROVAL) -> Election:
    """A city-sized election: a budget of about 20 per voter, projects costing 0.2% to 15% of it,
    popularity falling off with rank, ballots of 1 to 5 projects (10 points on points ballots)."""
    rng = random.Random(seed)
    budget = 20 * voters
    project_list = [
        Project(f"P{i:03d}", rng.randint(budget // 500, budget * 3 // 20) // 100 * 100 + 100)
        for i in range(projects)
    ]
    popularity = [1 / (rank + 3) for rank in range(projects)]
    rng.shuffle(popularity)
    ballots = []
    for _ in range(voters):
        size = rng.randint(1, min(5, projects))
        chosen = sorted({p.id for p in rng.choices(project_list, weights=popularity, k=size)})
        if vote_type == APPROVAL:
            ballots.append(dict.fromkeys(chosen, 1))
        else:
            left = 10
            ballot = {}
            for index, project_id in enumerate(chosen):
                last = index == len(chosen) - 1
                points = left if last else rng.randint(1, left - (len(chosen) - index - 1))
                ballot[project_id] = points
                left -= points
            ballots.append(ballot)
    return Election(budget=budget, projects=project_list, ballots=ballots, vote_type=vote_type)


#: The generated elections of growing size that the bench counts: (name, arguments).
BENCH_ELECTIONS = [
    (
        f"generated {vote_type} {voters} voters {projects} projects",
        {"seed": 1, "voters": voters, "projects": projects, "vote_type": vote_type},
    )
    for vote_type, sizes in (
        (APPROVAL, ((500, 15), (2000, 30), (8000, 50), (30000, 80))),
        (CUMULATIVE, ((2000, 30), (8000, 50))),
    )
    for voters, projects in sizes
]


def city_election(
    seed: int,
    voters: int,
    projects: int,
    longest: int,
    per_voter: int,
    vote_type: str = APPROVAL,
) -> Election:
    """An election shaped like a Warsaw district's: thousands to tens of thousands of voters
    whose ballots are long (up to ``longest`` projects, most of them a third of that or more), a
    budget of ``per_voter`` per voter, so that Add1 needs tens to hundreds of increments, and
    costs spread evenly on a log scale from 0.1% to 15% of the budget (many small local projects,
    a few large ones). Every project is on 2% to 25% of the ballots, as there; on points ballots
    each voter spreads 10 to 20 points."""
    rng = random.Random(seed)
    budget = per_voter * voters
    project_list = [
        Project(f"C{i:03d}", max(100, int(budget * 10 ** rng.uniform(-3, -0.82)) // 100 * 100))
        for i in range(projects)
    ]
    popularity = [rng.uniform(0.02, 0.25) for _ in range(projects)]
    ballots = []
    for _ in range(voters):
        size = rng.randint(max(1, longest // 3), longest)
        chosen = sorted({p.id for p in rng.choices(project_list, weights=popularity, k=size)})
        if vote_type == APPROVAL:
            ballots.append(dict.fromkeys(chosen, 1))
        else:
            ballot = dict.fromkeys(chosen, 1)
            for _ in range(rng.randint(max(10, len(chosen)), max(20, len(chosen))) - len(chosen)):
                ballot[rng.choice(chosen)] += 1
            ballots.append(ballot)
    return Election(budget=budget, projects=project_list, ballots=ballots, vote_type=vote_type)


#: City-shaped elections whose pabutools outcomes are recorded (``record_pabutools.py --city``)
#: and compared in the tests: (name, arguments).
CITY_ELECTIONS = [
    (
        f"city {vote_type} {voters} voters {projects} projects",
        {
            "seed": seed,
            "voters": voters,
            "projects": projects,
            "longest": longest,
            "per_voter": per_voter,
            "vote_type": vote_type,
        },
    )
    for seed, vote_type, voters, projects, longest, per_voter in (
        (10, APPROVAL, 40000, 40, 8, 50),
        (11, APPROVAL, 12000, 50, 12, 80),
        (12, CUMULATIVE, 10000, 40, 10, 40),
    )
]
