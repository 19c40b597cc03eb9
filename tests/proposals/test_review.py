import pytest
from sqlalchemy import func, select

from pb.extensions import db
from pb.models import Beneficiary, Gender, Meeting, Phase, Proposal, ProposalStatus
from tests import factories
from tests.proposals.test_submission import proposal_data


def review(client, proposal, decision, **fields):
    data = {"decision": decision}
    data.update({f"{decision}-{k}": v for k, v in fields.items()})
    return client.post(f"/p/{proposal.id}/review", data=data, headers={"Accept-Language": "en"})


def test_review_queue_lists_proposals_waiting(officer_client, world):
    waiting = factories.make_proposal(world.consultation, title="Waiting one")
    factories.make_proposal(world.consultation, status=ProposalStatus.ACCEPTED, title="Done one")
    page = officer_client.get(f"/c/{world.consultation.id}/review").get_data(as_text=True)
    assert "Waiting one" in page and "Done one" not in page
    assert f"/p/{waiting.id}/review" in page


def test_officer_accepts_with_a_corrected_cost_and_the_estimate_stays_visible(
    officer_client, client, world
):
    proposal = factories.make_proposal(world.consultation, cost=100_000)
    assert review(officer_client, proposal, "accept", approved_cost="120000").status_code == 302
    db.session.refresh(proposal)
    assert proposal.status == ProposalStatus.ACCEPTED
    assert proposal.approved_cost == 120_000 and proposal.estimated_cost == 100_000
    assert proposal.reviewed_by_id == world.officer.id
    page = client.get(f"/p/{proposal.id}", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "120,000\xa0som" in page and "100,000\xa0som" in page


def test_accepting_without_a_cost_keeps_the_estimate(officer_client, world):
    proposal = factories.make_proposal(world.consultation, cost=100_000)
    review(officer_client, proposal, "accept", approved_cost="")
    db.session.refresh(proposal)
    assert proposal.status == ProposalStatus.ACCEPTED and proposal.approved_cost is None
    assert proposal.cost == 100_000


@pytest.mark.parametrize("cost", ["-1", "0", "1000001", "abc"])
def test_bad_corrected_cost_is_refused(officer_client, world, cost):
    proposal = factories.make_proposal(world.consultation)
    response = review(officer_client, proposal, "accept", approved_cost=cost)
    assert response.status_code == 200
    db.session.refresh(proposal)
    assert proposal.status == ProposalStatus.SUBMITTED


def test_rejection_needs_a_reason_that_everyone_can_read(officer_client, client, world):
    proposal = factories.make_proposal(world.consultation)
    response = review(officer_client, proposal, "reject", reason="")
    assert response.status_code == 200 and b"This field is required." in response.data
    db.session.refresh(proposal)
    assert proposal.status == ProposalStatus.SUBMITTED
    review(
        officer_client,
        proposal,
        "reject",
        reason="The district repairs this road, not the ayil okmotu.",
    )
    db.session.refresh(proposal)
    assert proposal.status == ProposalStatus.REJECTED
    page = client.get(f"/p/{proposal.id}").get_data(as_text=True)
    assert "The district repairs this road, not the ayil okmotu." in page


def test_duplicates_are_merged_into_one(officer_client, client, world):
    target = factories.make_proposal(world.consultation, title="Water pipe in Ak-Suu")
    duplicate = factories.make_proposal(
        world.consultation, title="Water for Ak-Suu", beneficiaries=(Beneficiary.WOMEN,)
    )
    assert review(officer_client, duplicate, "merge", target_id=str(target.id)).status_code == 302
    db.session.refresh(duplicate)
    db.session.refresh(target)
    assert duplicate.status == ProposalStatus.MERGED and duplicate.merged_into_id == target.id
    assert Beneficiary.WOMEN in target.beneficiaries
    page = client.get(f"/p/{duplicate.id}").get_data(as_text=True)
    assert f"/p/{target.id}" in page


def test_merge_refuses_itself_closed_or_foreign_targets(officer_client, world):
    proposal = factories.make_proposal(world.consultation)
    rejected = factories.make_proposal(world.consultation, status=ProposalStatus.REJECTED)
    other_consultation = factories.make_consultation(world.municipality)
    foreign = factories.make_proposal(other_consultation)
    for target in (proposal, rejected, foreign):
        review(officer_client, proposal, "merge", target_id=str(target.id))
        db.session.refresh(proposal)
        assert proposal.status == ProposalStatus.SUBMITTED


def test_review_is_for_the_municipalitys_officers_only(app, world):
    proposal = factories.make_proposal(world.consultation)
    for user in (world.resident, world.council, world.outside_officer, world.admin):
        client = app.test_client(user=user)
        assert client.get(f"/p/{proposal.id}/review").status_code == 403
        assert review(client, proposal, "accept").status_code == 403
        assert client.get(f"/c/{world.consultation.id}/review").status_code == 403
    db.session.refresh(proposal)
    assert proposal.status == ProposalStatus.SUBMITTED


def test_no_review_once_voting_opened(officer_client, world):
    proposal = factories.make_proposal(world.consultation)
    world.consultation.phase = Phase.VOTING
    db.session.commit()
    review(officer_client, proposal, "accept")
    db.session.refresh(proposal)
    assert proposal.status == ProposalStatus.SUBMITTED


def test_unknown_decision_is_400(officer_client, world):
    proposal = factories.make_proposal(world.consultation)
    assert (
        officer_client.post(
            f"/p/{proposal.id}/review", data={"decision": "approve-all"}
        ).status_code
        == 400
    )


def paper_data(world, **fields):
    data = proposal_data(world)
    data.update(
        {
            "meeting_village_id": str(world.consultation.villages[1].id),
            "meeting_date": "2026-11-20",
            "proposer_name": "Гүлнара",
            "proposer_gender": "female",
            "proposer_age_group": "60+",
        }
    )
    data.update(fields)
    return data


def test_officer_enters_a_proposal_from_a_village_meeting(officer_client, world):
    response = officer_client.post(
        f"/c/{world.consultation.id}/proposals/paper", data=paper_data(world)
    )
    assert response.status_code == 302
    proposal = db.session.scalars(select(Proposal)).one()
    assert proposal.author_id is None and proposal.entered_by_id == world.officer.id
    assert proposal.proposer_gender == Gender.FEMALE and proposal.proposer_age_group == "60+"
    assert proposal.meeting.village_id == world.consultation.villages[1].id
    assert str(proposal.meeting.held_on) == "2026-11-20"
    # A second proposal from the same meeting joins the same meeting record.
    officer_client.post(
        f"/c/{world.consultation.id}/proposals/paper",
        data=paper_data(world, title="Another one here"),
    )
    assert db.session.scalar(select(func.count()).select_from(Meeting)) == 1


@pytest.mark.parametrize(
    "fields",
    [
        {"meeting_date": "2999-01-01"},
        {"meeting_date": "yesterday"},
        {"meeting_village_id": "999999"},
        {"proposer_age_group": "7-9"},
        {"proposer_gender": "robot"},
    ],
)
def test_bad_meeting_details_are_refused(officer_client, world, fields):
    response = officer_client.post(
        f"/c/{world.consultation.id}/proposals/paper", data=paper_data(world, **fields)
    )
    assert response.status_code == 200
    assert db.session.scalar(select(func.count()).select_from(Proposal)) == 0


def test_residents_cannot_enter_paper_proposals(resident_client, outside_officer_client, world):
    assert (
        resident_client.post(
            f"/c/{world.consultation.id}/proposals/paper", data=paper_data(world)
        ).status_code
        == 403
    )
    assert (
        outside_officer_client.post(
            f"/c/{world.consultation.id}/proposals/paper", data=paper_data(world)
        ).status_code
        == 403
    )
    assert db.session.scalar(select(func.count()).select_from(Proposal)) == 0
