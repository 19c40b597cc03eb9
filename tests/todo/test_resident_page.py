"""A resident's own page: her proposals with their review state, whether they were funded,
and whether her account has voted while voting runs (never what she chose)."""

from __future__ import annotations

from sqlalchemy import select

from pb.extensions import db
from pb.models import CountedResult, Electorate, Phase, ProposalStatus, VoterLink
from tests import factories


def _vote(client, consultation, proposal):
    data = {"choice": [str(proposal.id)], "gender": "", "age_group": "", "village_id": ""}
    response = client.post(f"/c/{consultation.id}/vote", data=data)
    assert response.status_code == 302


def _card(page: str, title: str) -> str:
    """The card of the page that holds ``title``."""
    return next(card for card in page.split('<li class="card">') if f">{title}<" in card)


def test_anonymous_visitors_are_sent_to_log_in(client, world):
    response = client.get("/account/next")
    assert response.status_code == 302 and "/login" in response.location


def test_a_resident_sees_her_own_proposals_with_their_state_and_no_one_elses(
    world, resident_client
):
    c = world.consultation
    factories.make_proposal(c, world.resident, title="Our well")
    factories.make_proposal(
        c,
        world.resident,
        ProposalStatus.REJECTED,
        title="A road to nowhere",
        rejection_reason="Not in the municipality's remit.",
    )
    factories.make_proposal(c, world.council, title="The council member's park")
    factories.make_proposal(c, None, title="A paper proposal")
    other = factories.make_consultation(world.other_municipality)
    factories.make_proposal(other, world.outsider, title="Ton's bridge")

    page = resident_client.get("/account/next").get_data(as_text=True)

    assert "Our well" in page and "Under review" in page
    assert "A road to nowhere" in page and "Not in the municipality&#39;s remit." in page
    for foreign in ("The council member's park", "A paper proposal", "Ton's bridge"):
        assert foreign not in page.replace("&#39;", "'")


def test_a_merged_proposal_names_the_one_it_joined(world, resident_client):
    target = factories.make_proposal(world.consultation, world.council, title="The big well")
    factories.make_proposal(
        world.consultation,
        world.resident,
        ProposalStatus.MERGED,
        title="A small well",
        merged_into_id=target.id,
    )
    page = resident_client.get("/account/next").get_data(as_text=True)
    assert "Merged with another proposal" in page and "The big well" in page


def test_funded_or_not_is_shown_once_the_results_are_published(world, resident_client):
    c = world.consultation
    funded = factories.make_proposal(c, world.resident, ProposalStatus.ACCEPTED, title="Funded one")
    unfunded = factories.make_proposal(
        c, world.resident, ProposalStatus.ACCEPTED, title="Unfunded one"
    )
    c.phase = Phase.CLOSED
    db.session.add(
        CountedResult(
            consultation_id=c.id,
            rule=c.counting_rule,
            ballots_digest="x",
            ballots=3,
            total_cost=100_000,
            details={"budget": c.budget, "funded": [str(funded.id)], "projects": {}},
        )
    )
    db.session.commit()
    closed = resident_client.get("/account/next").get_data(as_text=True)
    assert "is funded" not in closed and "not funded" not in closed

    c.phase = Phase.PUBLISHED
    db.session.commit()
    page = resident_client.get("/account/next").get_data(as_text=True)
    assert "This proposal is funded." in _card(page, funded.title)
    assert "This proposal is not funded." in _card(page, unfunded.title)
    assert "is funded" not in _card(page, unfunded.title)


def test_you_have_voted_appears_after_voting_and_never_what_she_chose(world, resident_client):
    proposals = factories.open_voting(world.consultation)
    chosen = proposals[1]
    before = resident_client.get("/account/next").get_data(as_text=True)
    assert "You have not voted yet." in before and "You have voted." not in before

    _vote(resident_client, world.consultation, chosen)
    assert db.session.scalars(select(VoterLink)).one()

    page = resident_client.get("/account/next").get_data(as_text=True)
    assert "You have voted." in page and "You have not voted yet." not in page
    for proposal in proposals:
        assert proposal.title not in page


def test_someone_elses_vote_is_not_hers(world, resident_client, council_client):
    proposals = factories.open_voting(world.consultation)
    _vote(council_client, world.consultation, proposals[0])
    page = resident_client.get("/account/next").get_data(as_text=True)
    assert "You have not voted yet." in page
    assert "You have voted." in council_client.get("/account/next").get_data(as_text=True)


def test_no_voting_section_outside_her_municipality_or_phase(world, outsider_client):
    factories.open_voting(world.consultation)
    page = outsider_client.get("/account/next").get_data(as_text=True)
    assert "Voting now" not in page and "You have" not in page.replace(
        "You have not sent any proposals yet.", ""
    )


def test_a_resident_given_a_paper_ballot_at_the_desk_is_told_to_use_it(
    world, officer_client, resident_client
):
    factories.open_voting(world.consultation, electorate=Electorate.ROLL)
    entry = factories.make_roll_entry(world.municipality, user=world.resident)
    page = resident_client.get("/account/next").get_data(as_text=True)
    assert "You have not voted yet." in page
    officer_client.post(f"/c/{world.consultation.id}/desk/{entry.id}/paper")
    page = resident_client.get("/account/next").get_data(as_text=True)
    assert "already received a code slip or a paper ballot" in page
    assert "You have not voted yet." not in page and "You have voted." not in page
