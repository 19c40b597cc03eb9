import re
from datetime import date

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from pb.errors import PermissionDenied, RuleViolation
from pb.extensions import db
from pb.models import AuditEntry, CouncilDecision, Decision, Phase, Role
from pb.results.services import SessionRecord, record_decision
from tests import factories

# What a council member types in besides the decision: the session and the council's vote.
SESSION_FIELDS = {
    "protocol_number": "7",
    "session": "XII session",
    "votes_for": "9",
    "votes_against": "1",
    "votes_abstained": "2",
    "deputies_present": "",
    "commission": "",
}


def decide(client, consultation, **fields):
    data = {"decision": "approved", "decided_on": "2026-11-20", "reason": "", **SESSION_FIELDS}
    data.update(fields)
    return client.post(f"/c/{consultation.id}/decision", data=data)


def decisions_count():
    return db.session.scalar(select(func.count()).select_from(CouncilDecision))


@pytest.fixture
def closed(world):
    world.consultation.phase = Phase.CLOSED
    db.session.commit()
    return world.consultation


def test_council_member_records_approval_and_the_consultation_shows_it(
    council_client, client, closed
):
    assert decide(council_client, closed).status_code == 302
    row = db.session.scalars(select(CouncilDecision)).one()
    assert row.decision == Decision.APPROVED and str(row.decided_on) == "2026-11-20"
    page = client.get(f"/c/{closed.id}").get_data(as_text=True)
    # The day as pb writes it (pb.i18n.format_day), its spaces perhaps no-break.
    assert "Approved" in page and re.search(r"20\sNovember\s2026", page)


def test_returning_needs_a_written_reason(council_client, client, closed):
    response = decide(council_client, closed, decision="returned")
    assert (
        response.status_code == 200
        and b"Write why the council returns the results." in response.data
    )
    assert decisions_count() == 0
    decide(council_client, closed, decision="returned", reason="Kara-Bulak was not consulted.")
    page = client.get(f"/c/{closed.id}").get_data(as_text=True)
    assert "Returned for revision" in page and "Kara-Bulak was not consulted." in page


@pytest.mark.parametrize(
    "fields",
    [{"decision": "maybe"}, {"decided_on": "2999-01-01"}, {"decided_on": "soon"}, {"decision": ""}],
)
def test_bad_decisions_are_refused(council_client, closed, fields):
    assert decide(council_client, closed, **fields).status_code == 200
    assert decisions_count() == 0


@pytest.mark.parametrize("phase", [Phase.COLLECTING, Phase.REVIEW, Phase.VOTING])
def test_no_decision_before_voting_closes(council_client, world, phase):
    world.consultation.phase = phase
    db.session.commit()
    decide(council_client, world.consultation)
    assert decisions_count() == 0


@pytest.mark.parametrize(
    "who", ["resident_client", "officer_client", "outside_officer_client", "admin_client"]
)
def test_only_council_members_of_the_municipality_decide(request, closed, who):
    client = request.getfixturevalue(who)
    assert decide(client, closed).status_code == 403
    assert decisions_count() == 0


def test_the_session_the_vote_and_the_commission_are_stored_and_audited(
    council_client, client, closed, world
):
    response = decide(
        council_client,
        closed,
        protocol_number=" 12/2026 ",
        session="XII (кезексиз) сессия",
        votes_for="11",
        votes_against="0",
        votes_abstained="2",
        deputies_present="13",
        commission="Асанова Гүлнара, депутат\r\n\r\n  Токтогулов Бакыт, мугалим  \n",
    )
    assert response.status_code == 302
    row = db.session.scalars(select(CouncilDecision)).one()
    assert (row.protocol_number, row.session, row.decided_on) == (
        "12/2026",
        "XII (кезексиз) сессия",
        date(2026, 11, 20),
    )
    assert (row.votes_for, row.votes_against, row.votes_abstained, row.deputies_present) == (
        11,
        0,
        2,
        13,
    )
    assert row.commission_members == ["Асанова Гүлнара, депутат", "Токтогулов Бакыт, мугалим"]
    entry = db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "decision.record")
    ).one()
    assert entry.actor_id == world.council.id
    page = client.get(f"/c/{closed.id}").get_data(as_text=True)
    assert "XII (кезексиз) сессия" in page and "12/2026" in page


def test_an_empty_count_of_abstentions_is_zero_not_missing(council_client, closed):
    assert decide(council_client, closed, votes_abstained="0", votes_against="0").status_code == 302
    row = db.session.scalars(select(CouncilDecision)).one()
    assert (row.votes_against, row.votes_abstained, row.deputies_present) == (0, 0, None)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"votes_for": "-1"}, "Write a number from 0 to 999."),
        ({"votes_against": "-3"}, "Write a number from 0 to 999."),
        ({"votes_abstained": "1000"}, "Write a number from 0 to 999."),
        ({"votes_for": "nine"}, "Not a valid integer value."),
        ({"votes_against": "3.5"}, "Not a valid integer value."),
        ({"votes_abstained": "1e3"}, "Not a valid integer value."),
        ({"votes_for": ""}, "This field is required."),
        ({"votes_for": "99999999999999999999999"}, "Write a number from 0 to 999."),
        ({"decided_on": ""}, "This field is required."),
        # The message is pb.forms.DayField's: here only that the field says what is wrong.
        ({"decided_on": "31.02.2026"}, 'id="decided_on-error"'),
        ({"session": ""}, "This field is required."),
        ({"session": "   "}, "Write the council&#39;s session: its number or name."),
        ({"session": "x" * 101}, "Write at most 100 characters."),
        ({"protocol_number": ""}, "This field is required."),
        ({"protocol_number": "1" * 31}, "Write at most 30 characters."),
        ({"deputies_present": "0"}, "Write a number from 1 to 999."),
        ({"deputies_present": "many"}, "Not a valid integer value."),
        (
            {
                "deputies_present": "11",
                "votes_for": "9",
                "votes_against": "2",
                "votes_abstained": "1",
            },
            "The votes add up to 12, more than the 11 deputies present.",
        ),
        (
            {"commission": "\n".join(f"Member {i}" for i in range(16))},
            "The counting commission has at most 15 members, one a line.",
        ),
        ({"commission": "x" * 201}, "Each member of the counting commission is at most 200"),
    ],
)
def test_a_bad_session_or_vote_is_refused_with_a_message(council_client, closed, fields, message):
    response = decide(council_client, closed, **fields)
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert decisions_count() == 0


def test_the_messages_about_the_vote_are_in_the_council_members_language(council_client, closed):
    council_client.post("/language", data={"locale": "ky", "next": "/"})
    page = decide(council_client, closed, votes_for="-1", session="").get_data(as_text=True)
    assert "Write a number from 0 to 999." not in page and "This field is required." not in page
    council_client.post("/language", data={"locale": "ru", "next": "/"})
    page = decide(
        council_client,
        closed,
        deputies_present="5",
        votes_for="5",
        votes_against="1",
        votes_abstained="0",
    ).get_data(as_text=True)
    assert "Голоса в сумме: 6" in page and decisions_count() == 0


def test_a_council_member_of_another_municipality_cannot_decide(app, closed, world):
    other = factories.make_user(world.other_municipality, Role.RESIDENT, Role.COUNCIL)
    assert decide(app.test_client(user=other), closed).status_code == 403
    assert decisions_count() == 0


def session_record(**changes):
    values = {
        "protocol_number": "7",
        "session": "XII session",
        "votes_for": 9,
        "votes_against": 1,
        "votes_abstained": 2,
        "deputies_present": None,
        "commission": [],
    }
    values.update(changes)
    return SessionRecord(**values)


@pytest.mark.parametrize(
    "changes",
    [
        {"votes_for": -1},
        {"votes_against": -1},
        {"votes_abstained": -5},
        {"votes_for": 1000},
        {"votes_for": True},
        {"votes_for": "9"},
        {"votes_for": 9.0},
        {"deputies_present": 0},
        {"deputies_present": 11},  # 9 + 1 + 2 = 12 votes
        {"session": " "},
        {"protocol_number": ""},
        {"protocol_number": "7" * 31},
        {"commission": ["x" * 201]},
        {"commission": [f"Member {i}" for i in range(16)]},
    ],
)
def test_the_service_refuses_a_bad_session_record(app, world, closed, changes):
    with app.test_request_context(), pytest.raises(RuleViolation):
        record_decision(
            world.council,
            closed,
            Decision.APPROVED,
            date(2026, 11, 20),
            None,
            session_record(**changes),
        )
    assert decisions_count() == 0


def test_the_service_keeps_the_votes_within_the_deputies_present(world, closed):
    row = record_decision(
        world.council,
        closed,
        Decision.APPROVED,
        date(2026, 11, 20),
        None,
        session_record(deputies_present=12, commission=["  A  ", "", "B"]),
    )
    assert (row.deputies_present, row.commission) == (12, "A\nB")


@pytest.mark.parametrize("who", ["officer", "resident", "outside_officer", "admin"])
def test_the_service_lets_only_the_municipalitys_council_decide(world, closed, who):
    with pytest.raises(PermissionDenied):
        record_decision(
            getattr(world, who),
            closed,
            Decision.APPROVED,
            date(2026, 11, 20),
            None,
            session_record(),
        )
    assert decisions_count() == 0


@pytest.mark.parametrize(
    "votes",
    [
        {"votes_for": -1, "votes_against": 0, "votes_abstained": 0},
        {"votes_for": 9, "votes_against": 1, "votes_abstained": 2, "deputies_present": 11},
    ],
)
def test_the_database_refuses_impossible_votes(closed, votes):
    """What the service checks, the table states too (pb.models.results.CouncilDecision)."""
    db.session.add(
        CouncilDecision(
            consultation_id=closed.id,
            decision=Decision.APPROVED,
            decided_on=date(2026, 11, 20),
            **votes,
        )
    )
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()
