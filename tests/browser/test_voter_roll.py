"""The voter roll in a browser: an officer, in Russian, imports the household register and
confirms a resident's account; a resident, in Kyrgyz, is refused a ballot on the roll, is
confirmed by the officer, and then votes.

Elements are found by ids, hrefs, roles and values, never by translated text; the texts
checked are the data the test put there (names, the office's address), or named as Kyrgyz.
"""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from pb.extensions import db
from pb.models import Ballot, Channel, Electorate, RollEntry, RollMark
from pb.voting import voters
from tests import factories
from tests.browser.conftest import LiveServer, Network, check_page, follow, html_lang

pytestmark = pytest.mark.browser

# As an ayil okmotu's Excel saves it: Windows-1251, semicolons, Russian column names.
REGISTER = (
    "ФИО;Год рождения;Пол;Село;Номер хозяйства;Телефон\r\n"
    "Мамытова Айзада Бакытовна;2001;ж;Ак-Суу;12;0555 123 456\r\n"
    "Исаев Нурлан;1968;м;Кара-Булак;40;\r\n"
    "Токтосунова Бермет;1979;ж;Кара-Булак;40;\r\n"
).encode("cp1251")
OFFICE = "Айыл өкмөтү, 2-бөлмө"


def log_in(page: Any, login: str) -> None:
    page.goto("/login")
    form = page.locator("main form")
    form.locator("#login").fill(login)
    form.locator("#password").fill(factories.PASSWORD)
    follow(page, form.locator("button[type=submit]"))
    assert page.locator('header a[href$="/account"]').count() == 1, page.locator(
        "main"
    ).inner_text()


def test_officer_imports_the_roll_and_confirms_an_account_in_russian(
    page: Any, live_server: LiveServer, network: Network, tmp_path: Any
) -> None:
    slug = live_server.slug
    resident_id = live_server.run(lambda w: w.resident.id)
    log_in(page, "officer")
    follow(page, page.locator("header form.languages").get_by_role("button", name="Русский"))
    assert html_lang(page) == "ru"

    page.goto(f"/m/{slug}")
    follow(page, page.locator(f'main a[href$="/m/{slug}/roll"]'))
    check_page(page)
    follow(page, page.locator(f'main a[href$="/m/{slug}/roll/import"]'))
    assert html_lang(page) == "ru"
    check_page(page)
    register = tmp_path / "похозяйственная-книга.csv"
    register.write_bytes(REGISTER)
    page.locator("main input[type=file]").set_input_files(str(register))
    follow(page, page.locator("main form button[type=submit]"))
    assert "/roll/import/" in page.url, page.locator("main").inner_text()
    preview = page.locator("main").inner_text()
    assert "Мамытова Айзада Бакытовна" in preview and "Исаев Нурлан" in preview
    check_page(page)
    # Nothing is on the roll until the officer confirms.
    assert live_server.run(lambda w: db.session.scalars(select(RollEntry)).all()) == []
    follow(page, page.locator('main form[action*="/roll/import/"] button[type=submit]'))
    assert html_lang(page) == "ru"
    assert "Токтосунова Бермет" in page.locator("main").inner_text()
    check_page(page)
    assert live_server.run(lambda w: len(db.session.scalars(select(RollEntry)).all())) == 3

    page.goto(f"/m/{slug}")
    follow(page, page.locator(f'main a[href$="/m/{slug}/accounts"]'))
    check_page(page)
    follow(page, page.locator(f'main a[href$="/m/{slug}/accounts/{resident_id}"]'))
    assert html_lang(page) == "ru"
    check_page(page)
    # Her phone number is on the roll: offered as a likely match, not linked yet.
    assert live_server.run(lambda w: db.session.scalars(select(RollEntry.user_id)).all()) == [
        None,
        None,
        None,
    ]
    confirm = page.locator(f'main form[action$="/accounts/{resident_id}/confirm"]').first
    follow(page, confirm.locator("button[type=submit]"))
    assert page.locator("main .flash-success").count() == 1, page.locator("main").inner_text()
    check_page(page)

    def confirmed(world: factories.World) -> list[str]:
        return [
            entry.full_name
            for entry in db.session.scalars(
                select(RollEntry).where(RollEntry.user_id == world.resident.id)
            )
        ]

    assert live_server.run(confirmed) == ["Мамытова Айзада Бакытовна"]
    network.assert_only_from(live_server.url)
    network.assert_no_errors()


def test_resident_is_refused_then_confirmed_then_votes_in_kyrgyz(
    new_page: Any, live_server: LiveServer, network: Network
) -> None:
    consultation_id, slug = live_server.consultation_id, live_server.slug

    def seed(world: factories.World) -> tuple[list[int], int]:
        world.consultation.electorate = Electorate.ROLL
        proposals = factories.open_voting(world.consultation, allow_codes=False)
        world.municipality.contact_office = OFFICE
        world.resident.locale = "ky"
        entry = factories.make_roll_entry(
            world.municipality,
            full_name="Мамытова Айзада",
            birth_year=2001,
            phone=world.resident.phone,
        )
        return [p.id for p in proposals], entry.id

    ids, entry_id = live_server.run(seed)
    resident_id = live_server.run(lambda w: w.resident.id)

    resident = new_page(locale="ky-KG")
    log_in(resident, "0555 123 456")
    resident.goto(f"/c/{consultation_id}/vote")
    assert html_lang(resident) == "ky"
    main = resident.locator("main").inner_text()
    assert "шайлоочулардын тизмесинде" in main and OFFICE in main, main
    assert resident.locator("main input[name=choice]").count() == 0
    check_page(resident)

    officer = new_page()
    log_in(officer, "officer")
    officer.goto(f"/m/{slug}/accounts/{resident_id}")
    form = officer.locator(f'main form[action$="/accounts/{resident_id}/confirm"]').filter(
        has=officer.locator(f'input[name=entry_id][value="{entry_id}"]')
    )
    follow(officer, form.locator("button[type=submit]"))
    assert officer.locator("main .flash-success").count() == 1

    resident.goto(f"/c/{consultation_id}/vote")
    assert html_lang(resident) == "ky"
    check_page(resident)
    resident.locator(f"main input[name=choice][value='{ids[-1]}']").check()
    follow(resident, resident.locator("main form.ballot-form button[type=submit]"))
    assert resident.url.endswith(f"/c/{consultation_id}/voted"), resident.locator(
        "main"
    ).inner_text()
    assert html_lang(resident) == "ky"
    check_page(resident)

    def recorded(world: factories.World) -> tuple[list[Channel], list[Channel]]:
        ballots = [b.channel for b in db.session.scalars(select(Ballot))]
        marks = [m.channel for m in db.session.scalars(select(RollMark))]
        return ballots, marks

    assert live_server.run(recorded) == ([Channel.ONLINE], [Channel.ONLINE])
    network.assert_only_from(live_server.url)
    network.assert_no_errors()


def test_every_new_page_passes_the_checks(
    new_page: Any, live_server: LiveServer, network: Network
) -> None:
    """The roll's pages, the meeting desk, turnout against the roll, erasing marks and the way
    back into an account: CSP, axe, references, 320 px; forms with errors too."""
    consultation_id, slug = live_server.consultation_id, live_server.slug

    def seed(world: factories.World) -> int:
        world.consultation.electorate = Electorate.ROLL
        factories.open_voting(world.consultation)
        world.municipality.contact_office = OFFICE
        world.resident.locale = "ky"
        people = [
            factories.make_roll_entry(
                world.municipality,
                full_name=f"Асанова Бермет {n}",
                birth_year=1950 + n * 3,
                village=world.municipality.villages[n % 2],
            )
            for n in range(14)
        ]
        for person in people[:6]:
            db.session.add(
                RollMark(
                    consultation_id=world.consultation.id,
                    entry_digest=voters.entry_mark(world.consultation.id, person.id),
                    channel=Channel.CODE,
                )
            )
        db.session.commit()
        return people[-1].id

    entry_id = live_server.run(seed)
    officer = new_page(locale="ru-RU")
    log_in(officer, "officer")
    follow(officer, officer.locator("header form.languages").get_by_role("button", name="Русский"))
    for path in (
        f"/m/{slug}/roll?q=асанова",
        f"/m/{slug}/roll/new",
        f"/m/{slug}/roll/{entry_id}",
        f"/m/{slug}/roll/{entry_id}/remove",
        f"/m/{slug}/contacts",
        f"/m/{slug}/accounts?status=unconfirmed",
        f"/c/{consultation_id}/desk?q=асанова",
        f"/c/{consultation_id}/roll-turnout",
        f"/c/{consultation_id}/turnout",
        "/accounts/reset",
    ):
        officer.goto(path)
        assert html_lang(officer) == "ru", path
        check_page(officer)

    # A form sent empty shows its errors, as accessible as the rest.
    officer.goto(f"/m/{slug}/roll/new")
    follow(officer, officer.locator("main form button[type=submit]"))
    assert officer.locator("main [aria-invalid=true]").count() > 0
    check_page(officer)

    # The desk hands out a paper ballot; the page says so.
    officer.goto(f"/c/{consultation_id}/desk?q=асанова")
    give = officer.locator(f'main form[action$="/desk/{entry_id}/paper"] button')
    follow(officer, give)
    assert officer.locator("main .flash-success").count() == 1
    check_page(officer)

    # A reset code, issued by the officer and used by the resident in Kyrgyz.
    officer.goto("/accounts/reset")
    officer.locator("main #login").fill("0555 123 456")
    follow(officer, officer.locator("main form button[type=submit]"))
    check_page(officer)
    follow(officer, officer.locator("main form button[type=submit]").last)
    code = officer.locator("main .receipt").inner_text().strip()
    assert len(code.replace("-", "")) == 8, code
    check_page(officer)

    resident = new_page(locale="ky-KG")
    resident.goto("/login")
    follow(resident, resident.locator('main a[href$="/forgot-password"]'))
    assert html_lang(resident) == "ky"
    assert OFFICE in resident.locator("main").inner_text()
    check_page(resident)
    follow(resident, resident.locator('main a[href$="/reset-password"]'))
    check_page(resident)
    form = resident.locator("main form")
    form.locator("#login").fill("0555 123 456")
    form.locator("#code").fill(code)
    form.locator("#password").fill("a new password 2026")
    form.locator("#confirm").fill("a new password 2026")
    follow(resident, form.locator("button[type=submit]"))
    assert resident.locator('header a[href$="/account"]').count() == 1
    assert html_lang(resident) == "ky"
    follow(resident, resident.locator('header a[href$="/account"]'))
    check_page(resident)  # her account page, with where to get confirmed

    # Once the results are out, the officer may erase who voted.
    def publish(world: factories.World) -> None:
        from pb.models import Phase

        world.consultation.phase = Phase.PUBLISHED
        db.session.commit()

    live_server.run(publish)
    officer.goto(f"/c/{consultation_id}/roll-marks/erase")
    check_page(officer)
    follow(officer, officer.locator("main form button[type=submit]"))
    assert live_server.run(lambda w: db.session.scalars(select(RollMark)).all()) == []
    check_page(officer)
    network.assert_only_from(live_server.url)
    network.assert_no_errors()
