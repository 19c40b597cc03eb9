"""What closing voting and voiding a batch of codes will do, in numbers, for the officer to
confirm before it is done (pb.confirming): both cannot be undone."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from pb.consultations.phases import consequence_of
from pb.extensions import db
from pb.i18n import ngettext
from pb.models import Ballot, Channel, CodeBatch, Consultation, Phase, VoterLink, VotingCode


@dataclass(frozen=True)
class Closing:
    """What closing voting now would seal, erase and delete."""

    ballots: dict[Channel, int]
    unused_codes: int  # printed codes no ballot used: erased, they stop working
    voter_links: int  # ties between an account or a code and its ballot: deleted

    @property
    def total(self) -> int:
        return sum(self.ballots.values())


def closing_figures(consultation: Consultation) -> Closing:
    by_channel = dict(
        db.session.execute(
            select(Ballot.channel, func.count())
            .where(Ballot.consultation_id == consultation.id)
            .group_by(Ballot.channel)
        ).all()
    )
    unused = db.session.scalar(
        select(func.count()).where(
            VotingCode.consultation_id == consultation.id,
            VotingCode.used.is_(False),
            VotingCode.plain.is_not(None),
        )
    )
    links = db.session.scalar(
        select(func.count()).where(VoterLink.consultation_id == consultation.id)
    )
    return Closing(
        {channel: by_channel.get(channel, 0) for channel in Channel}, unused or 0, links or 0
    )


@consequence_of(Phase.CLOSED)
def what_closing_does(consultation: Consultation) -> list[object]:
    now = closing_figures(consultation)
    return [
        ngettext(
            "%(num)d ballot will be sealed (%(online)d online, %(code)d by code, %(paper)d on "
            "paper): nobody can change it any more.",
            "%(num)d ballots will be sealed (%(online)d online, %(code)d by code, %(paper)d on "
            "paper): nobody can change them any more.",
            now.total,
            online=now.ballots[Channel.ONLINE],
            code=now.ballots[Channel.CODE],
            paper=now.ballots[Channel.PAPER],
        ),
        ngettext(
            "%(num)d unused code will be erased: it will no longer work.",
            "%(num)d unused codes will be erased: they will no longer work.",
            now.unused_codes,
        ),
        ngettext(
            "%(num)d link between a voter and a ballot will be deleted: nobody will know who "
            "cast which ballot.",
            "%(num)d links between voters and ballots will be deleted: nobody will know who "
            "cast which ballot.",
            now.voter_links,
        ),
        _l("The results will be counted. Closing voting cannot be undone."),
    ]


@dataclass(frozen=True)
class Voiding:
    """What voiding a batch now would do: its unused codes stop working, its used ones stay."""

    unused_codes: int
    used_codes: int


def voiding_figures(batch: CodeBatch) -> Voiding:
    rows = dict(
        db.session.execute(
            select(VotingCode.used, func.count())
            .where(VotingCode.batch_id == batch.id)
            .group_by(VotingCode.used)
        ).all()
    )
    return Voiding(unused_codes=rows.get(False, 0), used_codes=rows.get(True, 0))


def what_voiding_does(batch: CodeBatch) -> list[object]:
    now = voiding_figures(batch)
    return [
        ngettext(
            "%(num)d unused code of this batch will stop working.",
            "%(num)d unused codes of this batch will stop working.",
            now.unused_codes,
        ),
        ngettext(
            "%(num)d ballot already cast with its codes stays counted.",
            "%(num)d ballots already cast with its codes stay counted.",
            now.used_codes,
        ),
        _l("Voiding cannot be undone: print a new batch if slips are needed."),
    ]
