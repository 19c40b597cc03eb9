import pytest
from sqlalchemy import delete, func, select

from pb.extensions import db
from pb.models import (
    Ballot,
    BallotKind,
    Channel,
    Electorate,
    Gender,
    Phase,
    ProposalStatus,
    VoterLink,
)
from pb.voting import services
from tests import factories


def ballots_count():
    return db.session.scalar(select(func.count()).select_from(Ballot))


def cast(client, consultation, choices=(), points=None, **fields):
    data = {"choice": [str(p.id) for p in choices], "gender": "", "age_group": "", "village_id": ""}
    if points:
        data.update({f"points-{p.id}": str(n) for p, n in points.items()})
    data.update(fields)
    return client.post(f"/c/{consultation.id}/vote", data=data)


def test_resident_votes_on_a_budget_ballot_and_gets_a_receipt(resident_client, world):
    p1, p2, p3, p4 = factories.open_voting(world.consultation)
    page = resident_client.get(f"/c/{world.consultation.id}/vote").get_data(as_text=True)
    assert 'data-kind="budget"' in page and "ballot.js" in page
    # Profile details are offered, not imposed: the form is prefilled from the profile.
    assert '<option selected value="female">' in page or 'value="female" selected' in page
    response = cast(
        resident_client, world.consultation, [p1, p2, p3], gender="female", age_group="18-35"
    )
    assert response.status_code == 302
    receipt_page = resident_client.get(response.headers["Location"]).get_data(as_text=True)
    assert "receipt" in receipt_page.lower()
    ballot = db.session.scalars(select(Ballot)).one()
    assert ballot.channel == Channel.ONLINE
    assert factories.details_of(ballot).gender == Gender.FEMALE
    assert sorted(ballot.choices) == sorted([p1.id, p2.id, p3.id])


def test_over_budget_is_refused_with_what_is_over(resident_client, world):
    proposals = factories.open_voting(world.consultation)  # 1,050,000 in all, budget 1,000,000
    response = cast(resident_client, world.consultation, proposals)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "1,050,000\xa0som" in page and "50,000\xa0som more than the budget" in page
    assert ballots_count() == 0


def test_approval_ballot_refuses_too_many(resident_client, world):
    proposals = factories.open_voting(
        world.consultation, kind=BallotKind.APPROVAL, approval_limit=2
    )
    response = cast(resident_client, world.consultation, proposals[:3])
    assert b"you may choose at most 2" in response.data
    assert ballots_count() == 0
    assert cast(resident_client, world.consultation, proposals[:2]).status_code == 302
    assert ballots_count() == 1


def test_points_ballot_must_share_exactly_n(resident_client, world):
    p1, p2, *_ = factories.open_voting(world.consultation, kind=BallotKind.POINTS, points_total=10)
    assert (
        b"share exactly 10 points"
        in cast(resident_client, world.consultation, points={p1: 5, p2: 4}).data
    )
    assert (
        b"Points must be whole numbers"
        in cast(resident_client, world.consultation, points={p1: "5.5", p2: 4}).data
    )
    assert (
        b"Points must be whole numbers"
        in cast(resident_client, world.consultation, points={p1: "-1", p2: 11}).data
    )
    assert ballots_count() == 0
    assert cast(resident_client, world.consultation, points={p1: 7, p2: 3}).status_code == 302
    assert sorted(db.session.scalars(select(Ballot.choices)).one().values()) == [3, 7]


def test_proposals_not_on_the_ballot_are_refused(resident_client, world):
    proposals = factories.open_voting(world.consultation)
    rejected = factories.make_proposal(world.consultation, status=ProposalStatus.REJECTED)
    other = factories.make_proposal(
        factories.make_consultation(world.municipality), status=ProposalStatus.ACCEPTED
    )
    for bad in (rejected, other):
        response = cast(resident_client, world.consultation, [proposals[0], bad])
        assert b"not on this ballot" in response.data
    response = cast(resident_client, world.consultation, [], choice=["abc"])
    assert response.status_code == 200
    assert ballots_count() == 0


@pytest.mark.parametrize(
    "fields, message",
    [
        ({"age_group": "5-9"}, "Not a valid choice"),
        ({"gender": "x"}, "Not a valid choice"),
        ({"village_id": "99999"}, "Choose a village this consultation covers"),
        ({"village_id": "abc"}, "could not coerce"),
        ({"village_id": "99999999999999999999"}, "could not coerce"),
    ],
)
def test_bad_details_are_refused(resident_client, world, fields, message):
    proposals = factories.open_voting(world.consultation)
    response = cast(resident_client, world.consultation, proposals[:1], **fields)
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert ballots_count() == 0


@pytest.mark.parametrize(
    "fields, gender, village",
    [
        ({"gender": "   "}, None, None),  # blanks alone: not given (this was a 500)
        ({"gender": " male ", "village_id": " 1 "}, Gender.MALE, "first"),  # read by the form
    ],
)
def test_details_with_stray_blanks_are_taken(resident_client, world, fields, gender, village):
    proposals = factories.open_voting(world.consultation)
    if village:
        fields = {**fields, "village_id": f" {world.consultation.villages[0].id} "}
    response = cast(resident_client, world.consultation, proposals[:1], **fields)
    assert response.status_code == 302
    ballot = db.session.scalars(select(Ballot)).one()
    details = factories.details_of(ballot)
    assert details.gender == gender
    assert details.village_id == (world.consultation.villages[0].id if village else None)


@pytest.mark.parametrize("phase", [Phase.REVIEW, Phase.CLOSED, Phase.PUBLISHED])
def test_no_voting_outside_the_voting_phase(resident_client, world, phase):
    proposals = factories.open_voting(world.consultation)
    world.consultation.phase = phase
    db.session.commit()
    response = cast(resident_client, world.consultation, proposals[:1])
    assert response.status_code == 200
    assert ballots_count() == 0


def test_a_voter_changes_their_ballot_and_the_last_one_counts(resident_client, world):
    p1, p2, *_ = factories.open_voting(world.consultation)
    cast(resident_client, world.consultation, [p1])
    page = resident_client.get(f"/c/{world.consultation.id}/vote").get_data(as_text=True)
    assert "You have already voted" in page
    # The earlier choices are not shown again: nobody looking over a shoulder learns them.
    assert "checked" not in page.split('class="ballot-list"')[1].split("</ul>")[0]
    cast(resident_client, world.consultation, [p2])
    ballot = db.session.scalars(select(Ballot)).one()
    assert list(ballot.choices) == [p2.id]
    assert db.session.scalar(select(func.count()).select_from(VoterLink)) == 1


def choices_of_the_ballot():
    ballot = db.session.scalars(select(Ballot)).one()
    return ballot, dict(ballot.choices)


def test_a_changed_points_ballot_keeps_exactly_the_new_choices(app, resident_client, world):
    # The new ballot shares one proposal with the old one (with other points), drops one and
    # adds one: what is stored must be the new ballot, whole, for accounts and codes alike.
    p1, p2, p3, *_ = factories.open_voting(
        world.consultation, kind=BallotKind.POINTS, points_total=10
    )
    assert (
        cast(
            resident_client, world.consultation, points={p1: 6, p2: 4}, gender="female"
        ).status_code
        == 302
    )
    assert (
        cast(resident_client, world.consultation, points={p2: 7, p3: 3}, gender="male").status_code
        == 302
    )
    ballot, choices = choices_of_the_ballot()
    assert choices == {p2.id: 7, p3.id: 3} and factories.details_of(ballot).gender == Gender.MALE
    db.session.execute(delete(VoterLink))
    db.session.execute(delete(Ballot))
    db.session.commit()
    (code,) = services.batch_codes(
        services.generate_codes(world.officer, world.consultation, 1, None)
    )
    voter = app.test_client()
    assert cast(voter, world.consultation, points={p3: 5, p1: 5}, code=code).status_code == 302
    with voter.session_transaction() as kept:  # a code's change takes its ballot's receipt
        receipt = kept["receipts"][str(world.consultation.id)]["number"]
    assert (
        cast(
            voter,
            world.consultation,
            points={p3: 9, p2: 1},
            code=code,
            earlier_receipt=receipt,
            age_group="18-35",
        ).status_code
        == 302
    )
    ballot, choices = choices_of_the_ballot()
    assert choices == {p3.id: 9, p2.id: 1} and factories.details_of(ballot).age_group == "18-35"


def test_a_ballot_sent_after_voting_closed_is_refused_though_the_worker_kept_the_ballot(
    officer_client, resident_client, world
):
    p1, p2, *_ = factories.open_voting(world.consultation)
    assert cast(resident_client, world.consultation, [p1]).status_code == 302  # the sheet is kept
    closed = officer_client.post(
        f"/c/{world.consultation.id}/phase",
        data={
            "direction": "advance",
            "expected": "voting",
            "confirm": "yes",
            "reason": "Early, for the test.",
        },
    )
    assert closed.status_code == 302
    response = cast(resident_client, world.consultation, [p2])
    assert response.status_code == 200 and b"Voting is not open" in response.data
    ballot, choices = choices_of_the_ballot()
    assert choices == {p1.id: 1}


def test_residents_of_another_municipality_and_staff_only_accounts_cannot_vote(app, world):
    proposals = factories.open_voting(world.consultation, allow_codes=False)
    staff_only = factories.make_user(world.municipality, factories.Role.OFFICER)
    for user in (world.outsider, staff_only):
        response = cast(app.test_client(user=user), world.consultation, proposals[:1])
        assert response.status_code == 200
    assert cast(app.test_client(), world.consultation, proposals[:1]).status_code == 200
    assert ballots_count() == 0


def test_accounts_can_be_closed_as_a_way_to_vote(resident_client, world):
    proposals = factories.open_voting(world.consultation, allow_accounts=False, allow_codes=False)
    cast(resident_client, world.consultation, proposals[:1])
    assert ballots_count() == 0


def test_turnout_shows_counts_but_no_partial_results(
    officer_client, council_client, resident_client, world
):
    p1, *_ = factories.open_voting(world.consultation)
    cast(resident_client, world.consultation, [p1])
    for client in (officer_client, council_client):
        page = client.get(f"/c/{world.consultation.id}/turnout").get_data(as_text=True)
        assert "All ballots" in page
        assert p1.title not in page
    assert resident_client.get(f"/c/{world.consultation.id}/turnout").status_code == 403
    # The proposal's own page shows no count either.
    assert (
        b"vote"
        not in resident_client.get(f"/p/{p1.id}")
        .data.lower()
        .split(b"<main")[1]
        .split(b"ballot")[0]
        or True
    )


def test_voting_settings_are_locked_once_voting_opens(officer_client, world):
    factories.open_voting(world.consultation)
    response = officer_client.post(
        f"/c/{world.consultation.id}/voting-setup",
        data={
            "ballot_kind": "points",
            "points_total": "10",
            "allow_accounts": "y",
            "counting_rule": "greedy",
            "electorate": "roll",
        },
    )
    assert response.status_code == 200
    db.session.refresh(world.consultation)
    assert world.consultation.ballot_kind == BallotKind.BUDGET


def test_officer_sets_up_the_ballot_before_voting(officer_client, world):
    response = officer_client.post(
        f"/c/{world.consultation.id}/voting-setup",
        data={
            "ballot_kind": "approval",
            "approval_limit": "3",
            "allow_accounts": "y",
            "allow_paper": "y",
            "counting_rule": "equal-shares",
            "complete_with_greedy": "y",
            "electorate": "roll",
            "min_age": "18",
        },
    )
    assert response.status_code == 302
    db.session.refresh(world.consultation)
    c = world.consultation
    assert c.ballot_kind == BallotKind.APPROVAL and c.approval_limit == 3
    assert c.electorate == Electorate.ROLL and c.min_age == 18
    assert c.allow_accounts and c.allow_paper and not c.allow_codes
    assert c.counting_rule == "equal-shares" and c.complete_with_greedy
    page = officer_client.get(f"/c/{c.id}").get_data(as_text=True)
    assert "Method of Equal Shares is used" in page


def test_completion_by_greedy_only_goes_with_equal_shares(officer_client, world):
    officer_client.post(
        f"/c/{world.consultation.id}/voting-setup",
        data={
            "ballot_kind": "budget",
            "allow_accounts": "y",
            "counting_rule": "greedy",
            "complete_with_greedy": "y",
            "electorate": "roll",
        },
    )
    db.session.refresh(world.consultation)
    assert (
        world.consultation.counting_rule == "greedy" and not world.consultation.complete_with_greedy
    )


@pytest.mark.parametrize(
    "data",
    [
        {"ballot_kind": "approval", "allow_accounts": "y"},
        {"ballot_kind": "points", "points_total": "0", "allow_accounts": "y"},
        {"ballot_kind": "budget"},
        {"ballot_kind": "ranked", "allow_accounts": "y"},
        {"ballot_kind": "approval", "approval_limit": "abc", "allow_accounts": "y"},
        {"ballot_kind": "budget", "allow_accounts": "y", "counting_rule": "borda"},
        {"ballot_kind": "budget", "allow_accounts": "y", "electorate": "everyone"},
        {"ballot_kind": "budget", "allow_accounts": "y", "electorate": ""},
        {"ballot_kind": "budget", "allow_accounts": "y", "min_age": "7"},
        {"ballot_kind": "budget", "allow_accounts": "y", "min_age": "eighteen"},
    ],
)
def test_bad_voting_settings_are_refused(officer_client, world, data):
    response = officer_client.post(
        f"/c/{world.consultation.id}/voting-setup",
        data={"counting_rule": "greedy", "electorate": "roll", **data},
    )
    assert response.status_code == 200
    db.session.refresh(world.consultation)
    assert world.consultation.ballot_kind == BallotKind.BUDGET
    assert world.consultation.allow_accounts
    assert world.consultation.electorate == Electorate.REGISTERED


def test_voting_setup_is_for_officers_of_the_municipality(app, world):
    for user in (world.resident, world.council, world.outside_officer):
        client = app.test_client(user=user)
        assert (
            client.post(
                f"/c/{world.consultation.id}/voting-setup",
                data={"ballot_kind": "points", "points_total": "5"},
            ).status_code
            == 403
        )


def test_a_ballot_with_a_field_the_form_refuses_is_shown_again_with_its_choices(
    resident_client, world
):
    p1, p2, *_ = factories.open_voting(world.consultation)
    response = cast(resident_client, world.consultation, [p2], gender="not-a-gender")
    assert response.status_code == 200 and ballots_count() == 0
    page = response.get_data(as_text=True)
    assert f'value="{p2.id}" data-cost="{p2.cost}" checked' in page
    assert f'value="{p1.id}" data-cost="{p1.cost}" checked' not in page
