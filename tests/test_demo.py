"""The demo that `make run` loads: its voting consultation is on the roll, the README's demo
resident votes, and an account registered now is refused until an officer confirms it."""

from sqlalchemy import select

from pb.demo import DEMO_PASSWORD
from pb.extensions import db
from pb.models import Consultation, Electorate, Municipality, Phase, RollEntry, RollMark, User
from pb.voting.services import ballot_proposals


def demo(runner):
    assert runner.invoke(args=["load-demo"]).exit_code == 0
    return db.session.scalars(select(Consultation).where(Consultation.phase == Phase.VOTING)).one()


def logged_in(app, login):
    client = app.test_client()
    response = client.post("/login", data={"login": login, "password": DEMO_PASSWORD})
    assert response.status_code == 302, login
    return client


def a_ballot(client, consultation):
    """The ballot page as the client sees it, and a ballot choosing the cheapest proposal."""
    page = client.get(f"/c/{consultation.id}/vote").get_data(as_text=True)
    cheapest = min(ballot_proposals(consultation), key=lambda p: (p.estimated_cost, p.id))
    return page, {"choice": [str(cheapest.id)]}


def test_the_demo_vote_is_on_the_roll_with_confirmed_residents(app, runner):
    voting = demo(runner)
    assert voting.electorate == Electorate.ROLL
    ak_suu = db.session.scalars(select(Municipality).where(Municipality.slug == "ak-suu")).one()
    roll = db.session.scalars(select(RollEntry).where(RollEntry.municipality_id == ak_suu.id)).all()
    assert len(roll) > 50
    confirmed = {entry.user.login_name for entry in roll if entry.user is not None}
    assert confirmed == {"+996 555 000 001", "+996 700 000 002"}
    # The two demo residents have voted online; nobody else is marked.
    assert len(db.session.scalars(select(RollMark)).all()) == 2
    assert ak_suu.contact_office


def test_the_readme_resident_votes_and_a_new_account_is_refused(app, runner):
    voting = demo(runner)
    aizada = logged_in(app, "0555 000 001")
    page, ballot = a_ballot(aizada, voting)
    assert 'name="choice"' in page
    assert aizada.post(f"/c/{voting.id}/vote", data=ballot).status_code == 302

    newcomer = app.test_client()
    ak_suu = db.session.scalars(select(Municipality).where(Municipality.slug == "ak-suu")).one()
    response = newcomer.post(
        "/register",
        data={
            "display_name": "Жаңы Тургун",
            "locale": "en",
            "municipality_id": str(ak_suu.id),
            "phone": "0777 123 456",
            "password": DEMO_PASSWORD,
            "confirm": DEMO_PASSWORD,
        },
    )
    assert response.status_code == 302
    assert db.session.scalars(select(User).where(User.phone == "+996 777 123 456")).one()
    welcome = newcomer.get(response.headers["Location"]).get_data(as_text=True)
    assert "the ayil okmotu&#39;s officer must confirm your account" in welcome
    page, ballot = a_ballot(newcomer, voting)
    assert "not confirmed on the roll yet" in page
    response = newcomer.post(f"/c/{voting.id}/vote", data=ballot)
    assert "not confirmed on the voter roll yet" in response.get_data(as_text=True)
    # Гүлзат is on the roll, her account not yet confirmed: refused as well, in Kyrgyz.
    page, ballot = a_ballot(logged_in(app, "0555 000 003"), voting)
    assert "Сиздин каттоо эсебиңиз тизмеде али ырастала элек" in page
