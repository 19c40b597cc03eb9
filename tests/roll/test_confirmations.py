"""Confirmed residents: an officer links a registered account to its person on the roll; the
resident sees on her account page whether she is confirmed, and where to go if not."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from flask import Flask
from sqlalchemy import func, select, update
from sqlalchemy.orm.attributes import set_committed_value

from pb.errors import RuleViolation
from pb.extensions import db
from pb.models import (
    Ballot,
    Channel,
    Electorate,
    Gender,
    Membership,
    Municipality,
    Phase,
    Role,
    RollEntry,
    RollMark,
    User,
    VoterLink,
)
from pb.roll import confirmations
from pb.roll.names import name_key
from pb.voting import voters
from tests import factories

_household = itertools.count(1)


def on_roll(
    municipality: Municipality,
    full_name: str,
    *,
    village_index: int = 0,
    birth_year: int = 1990,
    gender: Gender = Gender.FEMALE,
    phone: str | None = None,
) -> RollEntry:
    entry = RollEntry(
        municipality_id=municipality.id,
        village_id=municipality.villages[village_index].id,
        household=str(next(_household)),
        full_name=full_name,
        name_key=name_key(full_name),
        birth_year=birth_year,
        gender=gender,
        phone=phone,
    )
    db.session.add(entry)
    db.session.commit()
    return entry


@contextmanager
def refused(app: Flask, match: str) -> Iterator[None]:
    """The service refuses, saying ``match`` (in English: the message is read in a request)."""
    with (
        app.test_request_context(headers={"Accept-Language": "en"}),
        pytest.raises(RuleViolation, match=match),
    ):
        yield


def confirm(client, municipality, user, entry):
    return client.post(
        f"/m/{municipality.slug}/accounts/{user.id}/confirm", data={"entry_id": str(entry.id)}
    )


def linked_to(entry: RollEntry) -> int | None:
    return db.session.scalar(select(RollEntry.user_id).where(RollEntry.id == entry.id))


def link(entry: RollEntry, user: User, officer: User) -> None:
    confirmations.confirm_account(officer, user, entry)


# --- the officer's pages ---------------------------------------------------------------------


def test_officer_confirms_an_account_as_a_person_on_the_roll(officer_client, world):
    entry = on_roll(world.municipality, "Асанова Айзада Бакытовна", birth_year=2001)
    response = confirm(officer_client, world.municipality, world.resident, entry)
    assert response.status_code == 302
    db.session.refresh(entry)
    assert entry.user_id == world.resident.id
    assert entry.confirmed_by_id == world.officer.id and entry.confirmed_at is not None
    page = officer_client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Confirmed as this person on the voter roll" in page
    assert "Асанова Айзада Бакытовна" in page and "Unconfirm" in page


def test_a_matching_phone_is_offered_but_not_linked_until_the_officer_confirms(
    officer_client, world
):
    same_phone = on_roll(world.municipality, "Асанова Гүлзат", phone=world.resident.phone)
    same_name = on_roll(world.municipality, "Айзада Токтогулова", village_index=1)
    stranger = on_roll(world.municipality, "Бекова Нургүл")
    page = officer_client.get(f"/m/ak-suu/accounts/{world.resident.id}").get_data(as_text=True)
    assert "Likely matches" in page
    assert "Асанова Гүлзат" in page and "Айзада Токтогулова" in page
    assert "Бекова Нургүл" not in page
    # The phone match comes first and is marked as such.
    assert page.index("Асанова Гүлзат") < page.index("Айзада Токтогулова")
    assert "Same phone number as the account: check the person" in page
    assert linked_to(same_phone) is None and linked_to(same_name) is None
    assert linked_to(stranger) is None


def test_likely_matches_leave_out_people_confirmed_with_another_account(world):
    taken = on_roll(world.municipality, "Айзада Асанова", phone=world.resident.phone)
    other = factories.make_user(world.municipality, display_name="Айзада")
    link(taken, other, world.officer)
    assert confirmations.likely_entries(world.municipality, world.resident) == []


def test_officer_searches_the_roll_from_the_account_page(officer_client, world):
    on_roll(world.municipality, "Асанова Айзада", village_index=0)
    on_roll(world.municipality, "Асанова Бермет", village_index=1)
    village = world.municipality.villages[1]
    page = officer_client.get(
        f"/m/ak-suu/accounts/{world.resident.id}?q=асанова&village={village.id}"
    ).get_data(as_text=True)
    assert "Асанова Бермет" in page and "Confirm as this person" in page
    # The likely match by name is listed above; the search itself found only Бермет.
    found = page.split("People on the voter roll", 1)[1]
    assert "Асанова Айзада" not in found


def test_officer_finds_accounts_by_name_phone_and_user_name(officer_client, world):
    factories.make_user(world.municipality, username="bermet92", display_name="Бермет")

    def names(query: str) -> str:
        return officer_client.get(f"/m/ak-suu/accounts?{query}").get_data(as_text=True)

    assert "Айзада" in names("q=айзада") and "Бермет" not in names("q=айзада")
    assert "Айзада" in names("q=0555+123+456")
    assert "Айзада" in names("q=123+456")
    assert "Бермет" in names("q=BERMET") and "Айзада" not in names("q=bermet")


def test_officer_lists_confirmed_and_unconfirmed_accounts_by_village(officer_client, world):
    other_village = world.municipality.villages[1]
    bermet = factories.make_user(
        world.municipality, display_name="Бермет", village_id=other_village.id
    )
    link(on_roll(world.municipality, "Айзада Асанова"), world.resident, world.officer)

    def page(query: str) -> str:
        return officer_client.get(f"/m/ak-suu/accounts?{query}").get_data(as_text=True)

    assert "Айзада" in page("status=confirmed") and "Бермет" not in page("status=confirmed")
    assert "Бермет" in page("status=unconfirmed") and "Айзада" not in page("status=unconfirmed")
    assert "Confirmed as Айзада Асанова" in page("status=all")
    by_village = page(f"village={other_village.id}")
    assert "Бермет" in by_village and "Айзада" not in by_village
    # Odd filter values are ignored, not a 500.
    assert "Бермет" in page("status=nonsense&village=99999999999999999999")
    assert bermet.id


def test_the_accounts_list_takes_the_same_queries_however_many_accounts(
    officer_client, world, count_queries
):
    def counted() -> int:
        with count_queries() as counter:
            assert officer_client.get("/m/ak-suu/accounts").status_code == 200
        return counter.count

    few = counted()
    for n in range(12):
        user = factories.make_user(world.municipality, display_name=f"Житель {n}")
        link(on_roll(world.municipality, f"Житель {n}"), user, world.officer)
    assert counted() == few


@pytest.mark.parametrize("who", ["council_client", "resident_client", "outside_officer_client"])
def test_only_the_municipalitys_officers_see_and_confirm_accounts(request, world, who):
    client = request.getfixturevalue(who)
    entry = on_roll(world.municipality, "Айзада Асанова")
    assert client.get("/m/ak-suu/accounts").status_code == 403
    assert client.get(f"/m/ak-suu/accounts/{world.resident.id}").status_code == 403
    assert confirm(client, world.municipality, world.resident, entry).status_code == 403
    assert linked_to(entry) is None


def test_an_officer_cannot_confirm_across_municipalities(
    officer_client, outside_officer_client, world
):
    theirs = on_roll(world.other_municipality, "Асанова Айзада")
    ours = on_roll(world.municipality, "Асанова Айзада")
    # Another municipality's person on the roll, or another municipality's resident: not here.
    assert confirm(officer_client, world.municipality, world.resident, theirs).status_code == 404
    assert confirm(officer_client, world.municipality, world.outsider, ours).status_code == 404
    assert officer_client.get(f"/m/ak-suu/accounts/{world.outsider.id}").status_code == 404
    assert (
        confirm(
            outside_officer_client, world.other_municipality, world.resident, theirs
        ).status_code
        == 404
    )
    assert linked_to(theirs) is None and linked_to(ours) is None


def test_the_service_refuses_an_account_that_is_not_a_resident_here(app, world):
    entry = on_roll(world.municipality, "Асанова Айзада")
    with refused(app, "not registered as a resident"):
        confirmations.confirm_account(world.officer, world.outsider, entry)
    assert linked_to(entry) is None


def test_an_account_is_confirmed_as_one_person_only(officer_client, world):
    first = on_roll(world.municipality, "Асанова Айзада")
    second = on_roll(world.municipality, "Асанова Айзада", birth_year=1960)
    link(first, world.resident, world.officer)
    response = confirm(officer_client, world.municipality, world.resident, second)
    page = officer_client.get(response.headers["Location"]).get_data(as_text=True)
    assert "already confirmed as another person on the roll" in page
    assert "Unconfirm it first" in page
    assert linked_to(first) == world.resident.id and linked_to(second) is None


def test_a_person_is_confirmed_with_one_account_only(officer_client, world):
    entry = on_roll(world.municipality, "Асанова Айзада")
    other = factories.make_user(world.municipality, display_name="Айзада (2)")
    link(entry, other, world.officer)
    response = confirm(officer_client, world.municipality, world.resident, entry)
    page = officer_client.get(response.headers["Location"]).get_data(as_text=True)
    assert "already confirmed with another account" in page
    assert "unconfirm that account first" in page
    assert linked_to(entry) == other.id
    # The search shows her as taken, with a way to that account, not a button.
    found = officer_client.get(f"/m/ak-suu/accounts/{world.resident.id}?q=асанова").get_data(
        as_text=True
    )
    assert "Confirmed with another account" in found
    assert f"/m/ak-suu/accounts/{other.id}" in found


def test_an_account_confirmed_in_another_municipality_is_not_confirmed_here(app, world):
    both = factories.make_user(world.municipality, display_name="Айзада")
    both.memberships.append(
        Membership(municipality_id=world.other_municipality.id, role=Role.RESIDENT)
    )
    db.session.commit()
    link(on_roll(world.other_municipality, "Айзада"), both, world.outside_officer)
    with refused(app, "voter roll of another municipality"):
        confirmations.confirm_account(world.officer, both, on_roll(world.municipality, "Айзада"))


def test_two_officers_confirming_the_same_person_at_once_link_only_one_account(app, world):
    entry = on_roll(world.municipality, "Асанова Айзада")
    other = factories.make_user(world.municipality, display_name="Айзада (2)")
    # The first officer's link lands after the second officer's request read the entry.
    db.session.execute(
        update(RollEntry).where(RollEntry.id == entry.id).values(user_id=other.id),
        execution_options={"synchronize_session": False},
    )
    db.session.commit()
    assert entry.municipality_id  # the entry is read again: then set back as it was read
    set_committed_value(entry, "user_id", None)
    with refused(app, "at the same moment"):
        confirmations.confirm_account(world.officer, world.resident, entry)
    assert linked_to(entry) == other.id


def test_two_officers_confirming_one_account_at_once_link_it_once(app, world, monkeypatch):
    first = on_roll(world.municipality, "Асанова Айзада")
    second = on_roll(world.municipality, "Асанова Айзада", birth_year=1960)

    def linked_meanwhile(user: User, entry: RollEntry) -> None:
        # The other officer's confirmation of the same account lands between the checks and
        # the link: the unique user_id refuses the second link.
        db.session.execute(
            update(RollEntry).where(RollEntry.id == first.id).values(user_id=user.id),
            execution_options={"synchronize_session": False},
        )
        return None

    monkeypatch.setattr(confirmations, "_voted_with_another_account", linked_meanwhile)
    with refused(app, "at the same moment"):
        confirmations.confirm_account(world.officer, world.resident, second)
    # Nothing half-written: here the other officer's link was in the same transaction, and
    # went with it.
    assert (
        db.session.scalar(
            select(func.count()).select_from(RollEntry).where(RollEntry.user_id.is_not(None))
        )
        == 0
    )


def test_officer_unconfirms_an_account_and_the_persons_marks_stay(officer_client, world):
    entry = on_roll(world.municipality, "Асанова Айзада")
    link(entry, world.resident, world.officer)
    db.session.add(
        RollMark(
            consultation_id=world.consultation.id,
            entry_digest=voters.entry_mark(world.consultation.id, entry.id),
            channel="online",
        )
    )
    db.session.commit()
    response = officer_client.post(f"/m/ak-suu/accounts/{world.resident.id}/unconfirm")
    assert response.status_code == 302
    db.session.refresh(entry)
    assert entry.user_id is None and entry.confirmed_by_id is None and entry.confirmed_at is None
    assert db.session.scalar(select(func.count()).select_from(RollMark)) == 1
    # Now another account can be confirmed as her.
    other = factories.make_user(world.municipality, display_name="Айзада (2)")
    assert confirm(officer_client, world.municipality, other, entry).status_code == 302
    assert linked_to(entry) == other.id


@pytest.mark.parametrize("who", ["council_client", "resident_client", "outside_officer_client"])
def test_only_the_municipalitys_officers_unconfirm(request, world, who):
    entry = on_roll(world.municipality, "Асанова Айзада")
    link(entry, world.resident, world.officer)
    client = request.getfixturevalue(who)
    assert client.post(f"/m/ak-suu/accounts/{world.resident.id}/unconfirm").status_code == 403
    assert linked_to(entry) == world.resident.id


def test_a_person_who_voted_online_with_another_account_is_not_confirmed_again_while_voting(
    officer_client, world
):
    world.consultation.electorate = Electorate.ROLL
    factories.open_voting(world.consultation, allow_accounts=True)
    entry = on_roll(world.municipality, "Асанова Айзада")
    db.session.add(
        RollMark(
            consultation_id=world.consultation.id,
            entry_digest=voters.entry_mark(world.consultation.id, entry.id),
            channel=Channel.ONLINE,
        )
    )
    db.session.commit()
    response = confirm(officer_client, world.municipality, world.resident, entry)
    page = officer_client.get(response.headers["Location"]).get_data(as_text=True)
    assert "already voted online with another account" in page
    assert linked_to(entry) is None
    world.consultation.phase = Phase.CLOSED
    db.session.commit()
    confirm(officer_client, world.municipality, world.resident, entry)
    assert linked_to(entry) == world.resident.id


def test_the_account_that_voted_is_confirmed_again_as_its_person_while_voting(world):
    """Undoing a mistaken unconfirm: her account holds her ballot, her mark is hers."""
    world.consultation.electorate = Electorate.ROLL
    factories.open_voting(world.consultation, allow_accounts=True)
    entry = on_roll(world.municipality, "Асанова Айзада")
    link(entry, world.resident, world.officer)
    ballot_id = "b" * 32
    db.session.execute(
        Ballot.__table__.insert(),
        {"id": ballot_id, "consultation_id": world.consultation.id, "channel": "online"},
    )
    db.session.add_all(
        [
            RollMark(
                consultation_id=world.consultation.id,
                entry_digest=voters.entry_mark(world.consultation.id, entry.id),
                channel=Channel.ONLINE,
            ),
            VoterLink(
                consultation_id=world.consultation.id,
                voter_digest=voters.account_link(world.consultation.id, world.resident.id),
                ballot_id=ballot_id,
                receipt_digest="x",
            ),
        ]
    )
    db.session.commit()
    confirmations.unconfirm_account(world.officer, entry)
    confirmations.confirm_account(world.officer, world.resident, entry)
    assert linked_to(entry) == world.resident.id


# --- where residents get confirmed ------------------------------------------------------------


def test_officer_enters_where_residents_get_confirmed(officer_client, world):
    assert officer_client.get("/m/ak-suu/contacts").status_code == 200
    response = officer_client.post(
        "/m/ak-suu/contacts",
        data={
            "contact_office": "  Айыл өкмөтү, 2-кабинет ",
            "contact_phone": "0 3946 5 12 34",
            "contact_hours": "",
        },
    )
    assert response.status_code == 302
    db.session.refresh(world.municipality)
    assert world.municipality.contact_office == "Айыл өкмөтү, 2-кабинет"
    assert world.municipality.contact_phone == "0 3946 5 12 34"
    assert world.municipality.contact_hours is None


def test_contacts_that_are_too_long_are_refused_with_a_message(officer_client, world):
    response = officer_client.post(
        "/m/ak-suu/contacts",
        data={"contact_office": "x" * 301, "contact_phone": "1" * 51, "contact_hours": "ok"},
    )
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Write at most 300 characters." in page and "Write at most 50 characters." in page
    db.session.refresh(world.municipality)
    assert world.municipality.contact_office is None and world.municipality.contact_hours is None


@pytest.mark.parametrize("who", ["council_client", "resident_client", "outside_officer_client"])
def test_only_the_municipalitys_officers_enter_the_contacts(request, world, who):
    client = request.getfixturevalue(who)
    assert client.get("/m/ak-suu/contacts").status_code == 403
    assert client.post("/m/ak-suu/contacts", data={"contact_office": "x"}).status_code == 403
    db.session.refresh(world.municipality)
    assert world.municipality.contact_office is None


def test_the_municipality_page_links_officers_to_accounts_and_contacts(
    officer_client, resident_client, world
):
    page = officer_client.get("/m/ak-suu").get_data(as_text=True)
    assert "/m/ak-suu/accounts" in page and "/m/ak-suu/contacts" in page
    assert "/m/ak-suu/accounts" not in resident_client.get("/m/ak-suu").get_data(as_text=True)


# --- the resident's own page ------------------------------------------------------------------


def _contacts(municipality: Municipality) -> None:
    municipality.contact_office = "Ак-Суу, Ленин көчөсү 5, 3-бөлмө"
    municipality.contact_phone = "0555 000 111"
    municipality.contact_hours = "Дүйшөмбү – жума, 9:00–17:00"
    db.session.commit()


@pytest.mark.parametrize(
    ("locale", "not_confirmed", "bring"),
    [
        ("en", "Not confirmed on the voter roll of", "Bring your passport or ID card"),
        ("ky", "шайлоочулардын тизмесинде али ырастала элек", "Паспортуңузду же ID-картаңызды"),
        ("ru", "ещё не подтверждена по списку голосующих", "Возьмите паспорт или ID-карту"),
    ],
)
def test_a_resident_sees_she_is_not_confirmed_and_where_to_go(
    resident_client, world, locale, not_confirmed, bring
):
    _contacts(world.municipality)
    world.resident.locale = locale
    db.session.commit()
    page = resident_client.get("/account").get_data(as_text=True)
    assert not_confirmed in page and bring in page
    assert "Ленин көчөсү 5, 3-бөлмө" in page
    assert "0555 000 111" in page and "Дүйшөмбү – жума, 9:00–17:00" in page


def test_without_contacts_a_resident_is_told_to_ask_at_the_ayil_okmotu(resident_client, world):
    page = resident_client.get("/account").get_data(as_text=True)
    assert "Ask at the ayil okmotu: " in page
    assert world.municipality.name_en in page


@pytest.mark.parametrize(
    ("locale", "confirmed"),
    [
        ("en", "Confirmed on the voter roll of Municipality"),
        ("ky", "каттоо эсебиңиз шайлоочулардын тизмесинде ырасталган (Ак-Суу)"),
        ("ru", "ваша учётная запись подтверждена по списку голосующих (Ак-Суу)"),
    ],
)
def test_a_confirmed_resident_sees_she_is_confirmed(resident_client, world, locale, confirmed):
    link(on_roll(world.municipality, "Асанова Айзада"), world.resident, world.officer)
    world.resident.locale = locale
    db.session.commit()
    page = resident_client.get("/account").get_data(as_text=True)
    assert confirmed in page and "(Ак-Суу)" in page
    assert "how-to-confirm" not in page


def test_the_roll_status_on_the_account_page_takes_two_queries(world, count_queries):
    for n in range(3):
        other = factories.make_municipality(f"extra-{n}")
        world.resident.memberships.append(Membership(municipality_id=other.id, role=Role.RESIDENT))
    db.session.commit()
    link(on_roll(world.municipality, "Асанова Айзада"), world.resident, world.officer)
    db.session.expire_all()
    assert world.resident.id
    with count_queries() as counter:
        statuses = confirmations.roll_statuses(world.resident)
        assert [s.entry is not None for s in statuses] == [True, False, False, False]
        assert statuses[0].entry is not None and statuses[0].entry.village.name == "Ак-Суу"
    assert counter.count == 2


def test_staff_without_a_resident_role_see_no_roll_status(app, world):
    client = app.test_client(user=world.admin)
    page = client.get("/account").get_data(as_text=True)
    assert "voter roll" not in page
