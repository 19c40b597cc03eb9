import pytest
from sqlalchemy import func, select

from pb.extensions import db
from pb.models import CouncilDecision, Decision, Phase


def decide(client, consultation, **fields):
    data = {"decision": "approved", "decided_on": "2026-11-20", "reason": ""}
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
    assert "Approved" in page and "Nov 20, 2026" in page


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
