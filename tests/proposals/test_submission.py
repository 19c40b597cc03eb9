import pytest
from sqlalchemy import func, select

from pb.extensions import db
from pb.models import Beneficiary, Gender, Phase, Proposal, ProposalStatus
from tests import factories


def proposal_data(world, **fields):
    c = world.consultation
    data = {
        "title": "Таза суу түтүгү",
        "description": "Кара-Булактын жогорку көчөсүнө таза суу түтүгүн тартуу керек.",
        "estimated_cost": "250000",
        "category_id": str(c.categories[1].id),
        "village_id": str(c.villages[0].id),
        "beneficiaries": ["women", "children"],
        "language": "ky",
    }
    data.update(fields)
    return data


def proposals_count():
    return db.session.scalar(select(func.count()).select_from(Proposal))


def test_resident_submits_a_proposal(resident_client, world):
    response = resident_client.post(
        f"/c/{world.consultation.id}/proposals/new",
        data=proposal_data(world),
        headers={"Accept-Language": "ky"},
    )
    assert response.status_code == 302
    proposal = db.session.scalars(select(Proposal)).one()
    assert proposal.author_id == world.resident.id
    assert proposal.status == ProposalStatus.SUBMITTED
    assert proposal.estimated_cost == 250_000
    assert set(proposal.beneficiaries) == {Beneficiary.WOMEN, Beneficiary.CHILDREN}
    assert proposal.language == "ky"
    # Who proposed it is kept for the participation figures: a woman born in 2001.
    assert proposal.proposer_gender == Gender.FEMALE
    assert proposal.proposer_age_group == "18-35"
    page = resident_client.get(f"/p/{proposal.id}").get_data(as_text=True)
    assert "Таза суу түтүгү" in page


@pytest.mark.parametrize(
    "fields, message",
    [
        ({"title": ""}, b"This field is required."),
        ({"title": "x" * 151}, b"Write from 5 to 150 characters."),
        ({"description": "short"}, b"Write from 20 to 5000 characters."),
        (
            {"estimated_cost": "-100"},
            b"The cost must be more than 0 som and at most the budget.",
        ),
        (
            {"estimated_cost": "0"},
            b"The cost must be more than 0 som and at most the budget.",
        ),
        (
            {"estimated_cost": "1000001"},
            b"The cost must be more than 0 som and at most the budget.",
        ),
        (
            {"estimated_cost": "10000000000000000000000"},
            b"The cost must be more than 0 som",
        ),
        ({"estimated_cost": "12.5"}, b"Not a valid integer value."),
        ({"estimated_cost": "many"}, b"Not a valid integer value."),
        ({"category_id": "999999"}, b"Not a valid choice."),
        ({"category_id": "abc"}, b"Invalid Choice: could not coerce."),
        ({"village_id": ""}, b"This field is required."),
        ({"beneficiaries": []}, b"Choose whom the proposal mainly serves."),
        ({"beneficiaries": ["aliens"]}, b"Not a valid choice."),
    ],
)
def test_bad_proposal_input_gets_a_message_and_saves_nothing(
    resident_client, world, fields, message
):
    response = resident_client.post(
        f"/c/{world.consultation.id}/proposals/new",
        data=proposal_data(world, **fields),
        headers={"Accept-Language": "en"},
    )
    assert response.status_code == 200
    assert message in response.data
    assert proposals_count() == 0


def test_category_of_another_consultation_is_refused(resident_client, world):
    other = factories.make_consultation(world.municipality)
    response = resident_client.post(
        f"/c/{world.consultation.id}/proposals/new",
        data=proposal_data(world, category_id=str(other.categories[0].id)),
    )
    assert response.status_code == 200
    assert proposals_count() == 0


@pytest.mark.parametrize("phase", [Phase.REVIEW, Phase.VOTING, Phase.CLOSED])
def test_no_submissions_outside_collection(resident_client, world, phase):
    world.consultation.phase = phase
    db.session.commit()
    response = resident_client.post(
        f"/c/{world.consultation.id}/proposals/new", data=proposal_data(world)
    )
    assert response.status_code == 302
    assert proposals_count() == 0


def test_draft_consultation_takes_no_proposals(resident_client, world):
    world.consultation.phase = Phase.DRAFT
    db.session.commit()
    assert (
        resident_client.post(
            f"/c/{world.consultation.id}/proposals/new", data=proposal_data(world)
        ).status_code
        == 404
    )


def test_resident_of_another_municipality_cannot_submit(outsider_client, world):
    response = outsider_client.post(
        f"/c/{world.consultation.id}/proposals/new", data=proposal_data(world)
    )
    assert response.status_code == 403
    assert proposals_count() == 0


def test_anonymous_visitor_must_log_in_to_submit(client, world):
    response = client.post(f"/c/{world.consultation.id}/proposals/new", data=proposal_data(world))
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert proposals_count() == 0


def test_author_edits_until_collection_closes_and_it_is_checked_again(resident_client, world):
    proposal = factories.make_proposal(
        world.consultation, author=world.resident, status=ProposalStatus.ACCEPTED
    )
    proposal.approved_cost = 90_000
    db.session.commit()
    response = resident_client.post(
        f"/p/{proposal.id}/edit", data=proposal_data(world, title="Changed title")
    )
    assert response.status_code == 302
    db.session.refresh(proposal)
    assert proposal.title == "Changed title"
    assert proposal.status == ProposalStatus.SUBMITTED and proposal.approved_cost is None
    world.consultation.phase = Phase.REVIEW
    db.session.commit()
    resident_client.post(f"/p/{proposal.id}/edit", data=proposal_data(world, title="Too late now"))
    db.session.refresh(proposal)
    assert proposal.title == "Changed title"


def test_only_the_author_edits_or_withdraws(app, world):
    proposal = factories.make_proposal(world.consultation, author=world.resident)
    other_resident = factories.make_user(world.municipality)
    for user in (other_resident, world.officer):
        client = app.test_client(user=user)
        assert (
            client.post(
                f"/p/{proposal.id}/edit", data=proposal_data(world, title="Hijacked")
            ).status_code
            == 403
        )
        assert client.post(f"/p/{proposal.id}/withdraw").status_code == 403
    db.session.refresh(proposal)
    assert proposal.title != "Hijacked" and proposal.status == ProposalStatus.SUBMITTED


def test_author_withdraws_and_the_public_no_longer_sees_it(app, resident_client, world):
    proposal = factories.make_proposal(
        world.consultation, author=world.resident, title="To withdraw"
    )
    assert (
        resident_client.post(f"/p/{proposal.id}/withdraw", data={"confirm": "yes"}).status_code
        == 302
    )
    db.session.refresh(proposal)
    assert proposal.status == ProposalStatus.WITHDRAWN
    assert app.test_client().get(f"/p/{proposal.id}").status_code == 404
    assert b"To withdraw" not in app.test_client().get(f"/c/{world.consultation.id}/proposals").data
    assert resident_client.get(f"/p/{proposal.id}").status_code == 200


def test_withdrawn_proposal_cannot_be_withdrawn_again_or_edited(resident_client, world):
    proposal = factories.make_proposal(
        world.consultation, author=world.resident, status=ProposalStatus.WITHDRAWN
    )
    resident_client.post(f"/p/{proposal.id}/withdraw", data={"confirm": "yes"})
    response = resident_client.post(f"/p/{proposal.id}/edit", data=proposal_data(world))
    assert response.status_code == 302
    db.session.refresh(proposal)
    assert proposal.status == ProposalStatus.WITHDRAWN


def test_unknown_proposal_is_404(client, world):
    assert client.get("/p/424242").status_code == 404
    assert client.get("/c/424242/proposals").status_code == 404


def test_user_content_is_escaped(client, world):
    factories.make_proposal(world.consultation, title="<script>alert(1)</script>")
    page = client.get(f"/c/{world.consultation.id}/proposals").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;" in page
