"""What kinds of job there are: each domain registers its own (the import of a ``.pb`` file,
closing voting, publishing results...) with what it does, what its page calls it, who may
follow it and where its result is read. pb.jobs knows none of them by name.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from pb.auth.access import is_member
from pb.models import Job, Role, User

#: Reports how far a job has got: (done, total), total 0 when not known yet.
Report = Callable[[int, int], None]
#: Does the job's work as ``actor``, in one transaction that it commits. What it made (JSON
#: values, for ``next_url``) it puts in ``job.result`` before that commit, which saves it with
#: the work: nothing is written after the work's commit.
Runner = Callable[[Job, User, Report], None]


def officers_of_its_municipality(user: User | None, job: Job) -> bool:
    return is_member(user, job.municipality_id, Role.OFFICER)


@dataclass(frozen=True)
class JobKind:
    name: str
    #: What the job does, as its page's heading says it ("Importing a .pb file").
    title: object
    run: Runner
    #: Where the user goes from a finished job: the page of what it made.
    next_url: Callable[[Job], str]
    #: Where a failed job's user goes to change what she asked for (the form).
    back_url: Callable[[Job], str]
    may_follow: Callable[[User | None, Job], bool] = officers_of_its_municipality


KINDS: dict[str, JobKind] = {}


def register(kind: JobKind) -> JobKind:
    KINDS[kind.name] = kind
    return kind
