import pytest
from sqlalchemy import func, select

from pb.extensions import db
from pb.models import Ballot, Channel, Gender, Meeting, Phase
from tests import factories


def paper(officer_client, consultation, choices, **fields):
    data = {
        "meeting_village_id": str(consultation.villages[0].id),
        "meeting_date": "2026-11-20",
        "choice": [str(p.id) for p in choices],
        "gender": "",
        "age_group": "",
        "village_id": "",
    }
    data.update(fields)
    return officer_client.post(f"/c/{consultation.id}/paper-ballots", data=data)


def test_officer_enters_paper_ballots_and_sees_the_count_per_meeting(officer_client, world):
    p1, p2, *_ = factories.open_voting(world.consultation)
    assert (
        paper(
            officer_client, world.consultation, [p1], gender="female", age_group="60+"
        ).status_code
        == 302
    )
    assert paper(officer_client, world.consultation, [p1, p2]).status_code == 302
    ballots = db.session.scalars(select(Ballot)).all()
    assert {b.channel for b in ballots} == {Channel.PAPER}
    assert db.session.scalar(select(func.count()).select_from(Meeting)) == 1
    assert any(
        d.gender == Gender.FEMALE and d.age_group == "60+"
        for d in map(factories.details_of, ballots)
    )
    page = officer_client.get(f"/c/{world.consultation.id}/paper-ballots").get_data(as_text=True)
    assert "2 ballots" in page


def test_a_meetings_page_lists_each_ballots_choices(officer_client, world):
    p1, p2, p3, *_ = factories.open_voting(world.consultation)
    paper(officer_client, world.consultation, [p3, p1])
    paper(officer_client, world.consultation, [p2])
    meeting = db.session.scalars(select(Meeting)).one()
    page = officer_client.get(f"/c/{world.consultation.id}/meetings/{meeting.id}/ballots").get_data(
        as_text=True
    )
    cards = page.split('<li class="card">')[1:]
    listed = sorted(sorted(t for t in (p1.title, p2.title, p3.title) if t in c) for c in cards)
    assert listed == sorted([sorted([p1.title, p3.title]), [p2.title]])


def test_paper_ballots_follow_the_ballot_rules(officer_client, world):
    proposals = factories.open_voting(world.consultation)
    response = paper(officer_client, world.consultation, proposals)
    assert b"more than the budget" in response.data
    for fields in (
        {"meeting_date": "2999-01-01"},
        {"meeting_village_id": "99999"},
        {"meeting_date": "x"},
    ):
        assert paper(officer_client, world.consultation, proposals[:1], **fields).status_code == 200
    assert db.session.scalar(select(func.count()).select_from(Ballot)) == 0


def test_a_paper_ballot_with_a_blank_gender_is_taken_as_not_given(officer_client, world):
    p1, *_ = factories.open_voting(world.consultation)
    # Blanks alone passed the form's check, then failed as a Gender: a 500 before.
    assert paper(officer_client, world.consultation, [p1], gender="  ").status_code == 302
    assert factories.details_of(db.session.scalars(select(Ballot)).one()).gender is None


def test_officer_corrects_and_deletes_a_mis_entered_ballot(officer_client, world):
    p1, p2, *_ = factories.open_voting(world.consultation)
    paper(officer_client, world.consultation, [p1])
    ballot = db.session.scalars(select(Ballot)).one()
    url = f"/c/{world.consultation.id}/paper-ballots/{ballot.id}"
    assert officer_client.get(url).status_code == 200
    response = officer_client.post(
        url, data={"action": "save", "choice": [str(p2.id)], "gender": "male"}
    )
    assert response.status_code == 302
    db.session.refresh(ballot)
    assert list(ballot.choices) == [p2.id]
    assert factories.details_of(ballot).gender == Gender.MALE
    assert officer_client.post(url, data={"action": "delete"}).status_code == 302
    assert db.session.scalar(select(func.count()).select_from(Ballot)) == 0


def test_no_paper_changes_after_voting_closes(officer_client, world):
    p1, p2, *_ = factories.open_voting(world.consultation)
    paper(officer_client, world.consultation, [p1])
    world.consultation.phase = Phase.CLOSED
    db.session.commit()
    ballot = db.session.scalars(select(Ballot)).one()
    url = f"/c/{world.consultation.id}/paper-ballots/{ballot.id}"
    officer_client.post(url, data={"action": "save", "choice": [str(p2.id)]})
    officer_client.post(url, data={"action": "delete"})
    paper(officer_client, world.consultation, [p2])
    ballots = db.session.scalars(select(Ballot)).all()
    assert len(ballots) == 1 and list(ballots[0].choices) == [p1.id]


def test_online_ballots_cannot_be_edited_as_paper(officer_client, resident_client, world):
    p1, p2, *_ = factories.open_voting(world.consultation)
    resident_client.post(f"/c/{world.consultation.id}/vote", data={"choice": [str(p1.id)]})
    ballot = db.session.scalars(select(Ballot)).one()
    url = f"/c/{world.consultation.id}/paper-ballots/{ballot.id}"
    assert officer_client.get(url).status_code == 404
    assert officer_client.post(url, data={"action": "delete"}).status_code == 404


@pytest.mark.parametrize("who", ["resident_client", "council_client", "outside_officer_client"])
def test_paper_ballots_are_for_officers_of_the_municipality(request, world, who):
    p1, *_ = factories.open_voting(world.consultation)
    client = request.getfixturevalue(who)
    assert paper(client, world.consultation, [p1]).status_code == 403
    assert db.session.scalar(select(func.count()).select_from(Ballot)) == 0
