"""One voice per person on the roll, whatever the channel: a confirmed account online, a code
slip or a paper ballot handed out at the meeting desk; and who may vote at all."""

import threading

import pytest
from sqlalchemy import func, inspect, select

from pb.extensions import db
from pb.models import (
    Ballot,
    Channel,
    Electorate,
    Phase,
    ProposalStatus,
    RollEntry,
    RollMark,
    VoterLink,
)
from pb.voting import services, voters
from tests import factories
from tests.voting.test_races import shared_app  # noqa: F401  (a fixture)


def on_roll(world, **settings):
    """The world's consultation voting on the roll, and its proposals."""
    world.consultation.electorate = Electorate.ROLL
    return factories.open_voting(world.consultation, **settings)


def marks(consultation):
    """The consultation's marks, as (entry id, channel): a mark names its person by a keyed
    digest, matched here against everyone on the roll."""
    entry_of = voters.entry_marks(consultation.id, db.session.scalars(select(RollEntry.id)))
    return {
        (entry_of[m.entry_digest], m.channel)
        for m in db.session.scalars(
            select(RollMark).where(RollMark.consultation_id == consultation.id)
        )
    }


def ballots():
    return db.session.scalar(select(func.count()).select_from(Ballot))


def vote(client, consultation, proposal, **extra):
    return client.post(f"/c/{consultation.id}/vote", data={"choice": [str(proposal.id)], **extra})


def test_confirmed_resident_votes_and_is_marked_as_voting_online(app, world, resident_client):
    p1, p2, *_ = on_roll(world)
    entry = factories.make_roll_entry(world.municipality, user=world.resident)
    assert vote(resident_client, world.consultation, p1).status_code == 302
    assert marks(world.consultation) == {(entry.id, Channel.ONLINE)}
    # She may change her ballot until close, as before: still one ballot, one mark.
    assert vote(resident_client, world.consultation, p2).status_code == 302
    assert ballots() == 1
    assert marks(world.consultation) == {(entry.id, Channel.ONLINE)}


def test_unconfirmed_account_is_told_why_and_whom_to_ask(app, world, resident_client):
    p1, *_ = on_roll(world, allow_codes=False)
    world.municipality.contact_office = "Айыл өкмөтү, 3-бөлмө"
    world.municipality.contact_hours = "Дш–Жм 9:00–17:00"
    db.session.commit()
    page = resident_client.get(f"/c/{world.consultation.id}/vote").get_data(as_text=True)
    assert "not confirmed on the roll yet" in page
    assert "3-бөлмө" in page and "9:00–17:00" in page
    assert 'name="choice"' not in page  # no ballot to fill in for nothing
    response = vote(resident_client, world.consultation, p1)
    assert response.status_code == 200
    assert "not confirmed on the voter roll yet" in response.get_data(as_text=True)
    assert ballots() == 0 and marks(world.consultation) == set()


def test_the_refusal_is_in_the_residents_language(app, world, resident_client):
    on_roll(world, allow_codes=False)
    world.resident.locale = "ky"
    db.session.commit()
    page = resident_client.get(f"/c/{world.consultation.id}/vote").get_data(as_text=True)
    assert "Сиздин каттоо эсебиңиз тизмеде али ырастала элек" in page


def test_unconfirmed_resident_may_vote_with_a_slip_from_the_desk(app, world, resident_client):
    p1, *_ = on_roll(world)
    services.generate_codes(world.officer, world.consultation, 1, None)
    (code,) = services.batch_codes(db.session.scalars(select(services.CodeBatch)).one())
    page = resident_client.get(f"/c/{world.consultation.id}/vote").get_data(as_text=True)
    assert 'name="code"' in page
    assert vote(resident_client, world.consultation, p1, code=code).status_code == 302
    assert db.session.scalar(select(func.count()).select_from(VoterLink)) == 1
    assert marks(world.consultation) == set()  # the slip's mark was the desk's to make


def test_too_young_for_the_consultation(app, world, resident_client):
    p1, *_ = on_roll(world, min_age=18, allow_codes=False)
    # Voting closes in 2026: born in 2009 she is 17 that year.
    factories.make_roll_entry(world.municipality, user=world.resident, birth_year=2009)
    response = vote(resident_client, world.consultation, p1)
    assert "born in 2008 or before" in response.get_data(as_text=True)
    assert ballots() == 0 and marks(world.consultation) == set()


def test_reaching_the_minimum_age_in_the_year_voting_closes_is_enough(app, world, resident_client):
    p1, *_ = on_roll(world, min_age=18)
    factories.make_roll_entry(world.municipality, user=world.resident, birth_year=2008)
    assert vote(resident_client, world.consultation, p1).status_code == 302


def test_confirmed_on_another_municipalitys_roll_is_not_enough(app, world, resident_client):
    p1, *_ = on_roll(world, allow_codes=False)
    factories.make_roll_entry(world.other_municipality, user=world.resident)
    assert "not confirmed" in vote(resident_client, world.consultation, p1).get_data(as_text=True)
    assert ballots() == 0


@pytest.mark.parametrize("way, channel", [("code", Channel.CODE), ("paper", Channel.PAPER)])
def test_a_person_handed_a_slip_or_paper_ballot_cannot_vote_online(
    app, world, officer_client, resident_client, way, channel
):
    p1, *_ = on_roll(world)
    entry = factories.make_roll_entry(world.municipality, user=world.resident)
    response = officer_client.post(f"/c/{world.consultation.id}/desk/{entry.id}/{way}")
    assert response.status_code == 302
    assert marks(world.consultation) == {(entry.id, channel)}
    page = resident_client.get(f"/c/{world.consultation.id}/vote").get_data(as_text=True)
    assert "already received a code slip or a paper ballot" in page
    response = vote(resident_client, world.consultation, p1)
    assert "each person has one voice" in response.get_data(as_text=True)
    assert ballots() == 0


@pytest.mark.parametrize("way", ["code", "paper"])
def test_the_desk_is_told_already_voted_online_never_how(
    app, world, officer_client, resident_client, way
):
    p1, *_ = on_roll(world)
    entry = factories.make_roll_entry(world.municipality, user=world.resident)
    vote(resident_client, world.consultation, p1)
    response = officer_client.post(
        f"/c/{world.consultation.id}/desk/{entry.id}/{way}", follow_redirects=True
    )
    page = response.get_data(as_text=True)
    assert "Already voted online." in page
    assert p1.title not in page
    assert marks(world.consultation) == {(entry.id, Channel.ONLINE)}


def test_the_desk_hands_out_once_per_person(app, world, officer_client):
    on_roll(world)
    entry = factories.make_roll_entry(world.municipality)
    officer_client.post(f"/c/{world.consultation.id}/desk/{entry.id}/code")
    page = officer_client.post(
        f"/c/{world.consultation.id}/desk/{entry.id}/paper", follow_redirects=True
    ).get_data(as_text=True)
    assert "Already received a code slip." in page
    page = officer_client.post(
        f"/c/{world.consultation.id}/desk/{entry.id}/code", follow_redirects=True
    ).get_data(as_text=True)
    assert "Already received a code slip." in page
    assert marks(world.consultation) == {(entry.id, Channel.CODE)}


def test_the_desk_finds_people_and_shows_their_marks(app, world, officer_client):
    on_roll(world)
    marked = factories.make_roll_entry(world.municipality, full_name="Асанова Гүлнара")
    factories.make_roll_entry(world.municipality, full_name="Асанов Бакыт", household="17")
    officer_client.post(f"/c/{world.consultation.id}/desk/{marked.id}/paper")
    page = officer_client.get(f"/c/{world.consultation.id}/desk?q=асан").get_data(as_text=True)
    assert "Асанова Гүлнара" in page and "Асанов Бакыт" in page
    assert "Given a paper ballot" in page
    page = officer_client.get(f"/c/{world.consultation.id}/desk?q=17").get_data(as_text=True)
    assert "Асанов Бакыт" in page and "Асанова Гүлнара" not in page


def test_the_desk_refuses_what_the_consultation_does_not_allow(app, world, officer_client):
    on_roll(world, allow_codes=False, min_age=18)
    young = factories.make_roll_entry(world.municipality, birth_year=2010)
    elsewhere = factories.make_roll_entry(world.other_municipality)
    adult = factories.make_roll_entry(world.municipality)
    url = f"/c/{world.consultation.id}/desk"

    def said(path):
        return officer_client.post(url + path, follow_redirects=True).get_data(as_text=True)

    assert "does not use this way to vote" in said(f"/{adult.id}/code")
    assert "born in 2008 or before" in said(f"/{young.id}/paper")
    assert "not on the voter roll" in said(f"/{elsewhere.id}/paper")
    assert "not on the voter roll" in said("/999999/paper")
    assert officer_client.post(url + f"/{adult.id}/ballot").status_code == 404
    assert marks(world.consultation) == set()


def test_the_desk_is_for_the_municipalitys_officers(app, world, council_client):
    on_roll(world)
    entry = factories.make_roll_entry(world.municipality)
    outside = app.test_client(user=world.outside_officer)
    for client in (council_client, outside, app.test_client(user=world.resident)):
        assert client.get(f"/c/{world.consultation.id}/desk").status_code == 403
        response = client.post(f"/c/{world.consultation.id}/desk/{entry.id}/paper")
        assert response.status_code == 403
    assert app.test_client().get(f"/c/{world.consultation.id}/desk").status_code == 302
    assert marks(world.consultation) == set()


def test_no_marks_once_voting_has_closed(app, world, officer_client):
    on_roll(world)
    entry = factories.make_roll_entry(world.municipality)
    world.consultation.phase = Phase.CLOSED
    db.session.commit()
    page = officer_client.post(
        f"/c/{world.consultation.id}/desk/{entry.id}/paper", follow_redirects=True
    ).get_data(as_text=True)
    assert "Voting is not open." in page
    assert marks(world.consultation) == set()


def test_anyone_registered_votes_in_a_trial_and_it_says_so(app, world, resident_client):
    p1, *_ = factories.open_voting(world.consultation)
    assert world.consultation.electorate == Electorate.REGISTERED
    page = resident_client.get(f"/c/{world.consultation.id}/vote").get_data(as_text=True)
    assert "A trial vote" in page
    assert vote(resident_client, world.consultation, p1).status_code == 302
    assert marks(world.consultation) == set()


def test_a_trial_with_a_minimum_age_goes_by_the_accounts_year(app, world, resident_client):
    p1, *_ = factories.open_voting(world.consultation, min_age=30)
    response = vote(resident_client, world.consultation, p1)  # born 2001: 25 in 2026
    assert "born in 1996 or before" in response.get_data(as_text=True)
    world.resident.birth_year = None
    db.session.commit()
    response = vote(resident_client, world.consultation, p1)
    assert "Add your year of birth" in response.get_data(as_text=True)
    assert ballots() == 0


def test_secrecy_at_close_keeps_only_the_fact_and_channel(app, world, officer_client):
    p1, *_ = on_roll(world)
    online = factories.make_roll_entry(world.municipality, user=world.resident)
    paper = factories.make_roll_entry(world.municipality, full_name="Токтосунов Нурлан")
    vote(app.test_client(user=world.resident), world.consultation, p1)
    officer_client.post(f"/c/{world.consultation.id}/desk/{paper.id}/paper")
    response = officer_client.post(
        f"/c/{world.consultation.id}/phase",
        data={
            "direction": "advance",
            "expected": "voting",
            "confirm": "yes",
            "reason": "Early, for the test.",
        },
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert world.consultation.phase == Phase.CLOSED
    assert db.session.scalar(select(func.count()).select_from(VoterLink)) == 0
    assert marks(world.consultation) == {(online.id, Channel.ONLINE), (paper.id, Channel.PAPER)}
    # A mark holds the person, the consultation and the channel: nothing that leads to a
    # ballot, and nothing that orders marks in time.
    assert {c.name for c in inspect(RollMark).columns} == {
        "consultation_id",
        "entry_digest",
        "channel",
    }


def test_racing_channels_for_one_person_leave_one_voice(shared_app):  # noqa: F811
    """Her account online, a code slip and a paper ballot at the desk, all at once, many
    times over: one mark, and a ballot only if the mark is the account's."""
    world = factories.build_world()
    world.consultation.electorate = Electorate.ROLL
    p1, *_ = factories.open_voting(world.consultation)
    consultation_id = world.consultation.id
    entry_id = factories.make_roll_entry(world.municipality, user=world.resident).id
    choice = {"choice": [str(p1.id)]}
    resident = [shared_app.test_client(user=world.resident) for _ in range(4)]
    officer = [shared_app.test_client(user=world.officer) for _ in range(4)]
    db.session.close()
    barrier = threading.Barrier(len(resident) + len(officer))
    statuses = []

    def online(client):
        barrier.wait()
        statuses.append(client.post(f"/c/{consultation_id}/vote", data=choice).status_code)

    def desk(client, way):
        barrier.wait()
        url = f"/c/{consultation_id}/desk/{entry_id}/{way}"
        statuses.append(client.post(url).status_code)

    threads = [threading.Thread(target=online, args=(c,)) for c in resident] + [
        threading.Thread(target=desk, args=(c, way))
        for c, way in zip(officer, ["code", "paper"] * 2, strict=True)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert 500 not in statuses and len(statuses) == len(threads)
    (mark,) = db.session.scalars(select(RollMark)).all()
    expected_ballots = 1 if mark.channel == Channel.ONLINE else 0
    assert ballots() == expected_ballots


def test_turnout_warns_when_paper_ballots_outnumber_people_given_one(app, world, officer_client):
    from tests.voting.test_paper import paper

    p1, *_ = on_roll(world)
    given = factories.make_roll_entry(world.municipality)
    officer_client.post(f"/c/{world.consultation.id}/desk/{given.id}/paper")
    assert paper(officer_client, world.consultation, [p1]).status_code == 302
    page = officer_client.get(f"/c/{world.consultation.id}/turnout").get_data(as_text=True)
    assert "Given a paper ballot at the desk" in page
    assert "More paper ballots have been entered" not in page
    assert paper(officer_client, world.consultation, [p1]).status_code == 302
    page = officer_client.get(f"/c/{world.consultation.id}/turnout").get_data(as_text=True)
    assert "More paper ballots have been entered (2) than people were given one" in page


def test_results_say_who_could_vote(app, world, council_client):
    on_roll(world, min_age=18)
    world.consultation.phase = Phase.CLOSED
    db.session.commit()
    page = council_client.get(f"/c/{world.consultation.id}/results").get_data(as_text=True)
    assert "Residents on the voter roll, one voice each; aged 18 or over" in page


def test_voting_on_the_roll_cannot_open_while_the_roll_is_empty(app, world, officer_client):
    from tests.consultations.test_consultations import move

    c = world.consultation
    c.electorate = Electorate.ROLL
    c.phase = Phase.REVIEW
    db.session.commit()
    factories.make_proposal(c, status=ProposalStatus.ACCEPTED)
    move(officer_client, c, "advance", "review")
    db.session.refresh(c)
    assert c.phase == Phase.REVIEW
    page = officer_client.get(f"/c/{c.id}").get_data(as_text=True)
    assert "the roll is empty: import it first, or let anyone registered vote" in page
    factories.make_roll_entry(world.municipality)
    move(officer_client, c, "advance", "review")
    db.session.refresh(c)
    assert c.phase == Phase.VOTING


def test_the_desk_says_who_does_not_vote_here_and_refuses_them(app, world, officer_client):
    first, second = world.municipality.villages[:2]
    world.consultation.villages = [first]
    on_roll(world, min_age=18)
    elsewhere = factories.make_roll_entry(world.municipality, full_name="Асанов А", village=second)
    young = factories.make_roll_entry(world.municipality, full_name="Асанов Б", birth_year=2012)
    page = officer_client.get(f"/c/{world.consultation.id}/desk?q=асанов").get_data(as_text=True)
    assert "Lives in a village this consultation does not cover." in page
    assert "born in 2008 or before" in page
    assert f"/desk/{elsewhere.id}/paper" not in page and f"/desk/{young.id}/paper" not in page
    response = officer_client.post(
        f"/c/{world.consultation.id}/desk/{elsewhere.id}/paper", follow_redirects=True
    )
    assert "Lives in a village this consultation does not cover." in response.get_data(as_text=True)
    assert marks(world.consultation) == set()
