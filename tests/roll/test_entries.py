"""Keeping the voter roll: importing the household register with a preview, adding, correcting
and removing people by hand, exporting; officers of the municipality only."""

import io
from datetime import timedelta

import pytest
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from pb.errors import PermissionDenied
from pb.extensions import db
from pb.models import Channel, Electorate, Gender, RollEntry, RollImport, RollMark
from pb.models.base import utcnow
from pb.municipalities import services as municipality_services
from pb.roll import entries
from pb.roll.reading import read_roll
from pb.voting import voters
from tests import factories

ROLL = "/m/ak-suu/roll"
HEADER = "ФИО;Год рождения;Пол;Село;№ хозяйства;Телефон"
LINES = [
    "Асанова Гульнара Бакытовна;1985;ж;Ак-Суу;12;0555 123 456",
    "Токтогулов Бакыт;1960;м;Кара-Булак;7;",
    "Жумабаева Айгуль;2001;ж;Ак-Суу;12;",
]


def roll_file(*lines: str, header: str = HEADER, encoding: str = "cp1251") -> bytes:
    return "\r\n".join([header, *lines]).encode(encoding)


def upload(client, data: bytes, filename: str = "roll.csv"):
    # Encoded here, in memory: the test client would spool a large body to a temporary file
    # that nothing closes.
    boundary, body = encode_multipart(
        {"file": FileStorage(io.BytesIO(data), filename=filename, content_type="text/csv")}
    )
    return client.post(
        f"{ROLL}/import", data=body, content_type=f"multipart/form-data; boundary={boundary}"
    )


def on_roll() -> int:
    return db.session.scalar(select(func.count()).select_from(RollEntry))


def last_import() -> RollImport:
    return db.session.scalars(select(RollImport).order_by(RollImport.id.desc())).first()


def make_entry(world, full_name="Асанов Асан", birth_year=1970, village=None, **fields):
    entry = RollEntry(
        municipality_id=fields.pop("municipality_id", world.municipality.id),
        village_id=(village or world.village).id,
        household=fields.pop("household", "1"),
        full_name=full_name,
        name_key=full_name.lower(),
        birth_year=birth_year,
        gender=fields.pop("gender", Gender.MALE),
        **fields,
    )
    db.session.add(entry)
    db.session.commit()
    return entry


# --- import ------------------------------------------------------------------------------------


def test_the_preview_shows_what_will_be_added_and_saves_nothing(officer_client, world):
    response = upload(officer_client, roll_file(*LINES))
    assert response.status_code == 302
    roll_import = last_import()
    assert response.headers["Location"].endswith(f"{ROLL}/import/{roll_import.id}")
    assert on_roll() == 0
    page = officer_client.get(f"{ROLL}/import/{roll_import.id}").get_data(as_text=True)
    assert "3 people will be added to the roll." in page
    assert "Асанова Гульнара Бакытовна" in page and "Кара-Булак" in page
    assert "Add to the roll" in page
    assert on_roll() == 0


def test_confirming_puts_everyone_on_the_roll_and_forgets_the_file(officer_client, world):
    upload(officer_client, roll_file(*LINES))
    roll_import = last_import()
    response = officer_client.post(f"{ROLL}/import/{roll_import.id}")
    assert response.status_code == 302 and response.headers["Location"].endswith(ROLL)
    people = db.session.scalars(select(RollEntry).order_by(RollEntry.full_name)).all()
    assert [
        (p.full_name, p.birth_year, p.gender, p.village.name, p.household, p.phone) for p in people
    ] == [
        ("Асанова Гульнара Бакытовна", 1985, Gender.FEMALE, "Ак-Суу", "12", "+996 555 123 456"),
        ("Жумабаева Айгуль", 2001, Gender.FEMALE, "Ак-Суу", "12", None),
        ("Токтогулов Бакыт", 1960, Gender.MALE, "Кара-Булак", "7", None),
    ]
    assert {p.name_key for p in people} >= {"токтогулов бакыт"}
    db.session.refresh(roll_import)
    assert roll_import.imported_at is not None and roll_import.added == 3
    assert roll_import.rows == []
    page = officer_client.get(ROLL).get_data(as_text=True)
    assert "3 people are on the roll." in page


def test_a_file_confirmed_twice_is_imported_once(officer_client, world):
    upload(officer_client, roll_file(*LINES))
    roll_import = last_import()
    officer_client.post(f"{ROLL}/import/{roll_import.id}")
    response = officer_client.post(f"{ROLL}/import/{roll_import.id}", follow_redirects=True)
    assert "already on the roll" in response.get_data(as_text=True)
    assert on_roll() == 3
    page = officer_client.get(f"{ROLL}/import/{roll_import.id}").get_data(as_text=True)
    assert "This file is imported: 3 people were added to the roll." in page


def test_likely_duplicates_are_shown_and_left_out_unless_asked(officer_client, world):
    make_entry(world, "Токтогулов Бакыт", 1960, world.municipality.villages[1])
    lines = [*LINES, "АСАНОВА  Гульнара бакытовна;1985;Ж;ак-суу;14;"]
    upload(officer_client, roll_file(*lines))
    roll_import = last_import()
    page = officer_client.get(f"{ROLL}/import/{roll_import.id}").get_data(as_text=True)
    assert "2 people will be added to the roll." in page
    assert "Likely duplicates" in page and "someone on the roll" in page and "line 2" in page
    assert "Also add the likely duplicates" in page
    officer_client.post(f"{ROLL}/import/{roll_import.id}")
    assert on_roll() == 3  # the one already there, and two new

    upload(officer_client, roll_file(*lines))
    response = officer_client.post(
        f"{ROLL}/import/{last_import().id}", data={"add_duplicates": "y"}
    )
    assert response.status_code == 302
    assert on_roll() == 3 + 4


def test_duplicates_are_checked_again_against_the_roll_when_confirmed(officer_client, world):
    upload(officer_client, roll_file(*LINES))
    roll_import = last_import()
    make_entry(world, "Жумабаева Айгуль", 2001)  # added by hand meanwhile
    officer_client.post(f"{ROLL}/import/{roll_import.id}")
    assert on_roll() == 3


def test_a_file_with_problems_shows_them_by_line_and_cannot_be_imported(officer_client, world):
    lines = [
        LINES[0],
        ";1990;ж;Ак-Суу;1;",
        "Асанов Асан;1850;м;Ак-Суу;1;",
        "Асанов Асан;1990;м;Москва;1;",
    ]
    upload(officer_client, roll_file(*lines))
    roll_import = last_import()
    page = officer_client.get(f"{ROLL}/import/{roll_import.id}").get_data(as_text=True)
    assert "The file has 3 problems. Nothing is saved" in page
    assert "<td>3</td><td>The name is empty.</td>" in page
    assert "<td>4</td><td>The year of birth 1850 is not between 1900 and" in page
    assert "<td>5</td><td>“Москва” is not a village of this municipality." in page
    assert "Add to the roll" not in page and "Upload the corrected file" in page
    response = officer_client.post(f"{ROLL}/import/{roll_import.id}", follow_redirects=True)
    assert "Correct them in the file and upload it again." in response.get_data(as_text=True)
    assert on_roll() == 0
    db.session.refresh(roll_import)
    assert roll_import.imported_at is None


def test_a_long_list_of_problems_shows_the_first_200_and_counts_the_rest(officer_client, world):
    upload(officer_client, roll_file(*[f"Асанов Асан;1850;м;Ак-Суу;{n};" for n in range(250)]))
    page = officer_client.get(f"{ROLL}/import/{last_import().id}").get_data(as_text=True)
    assert "The file has 250 problems." in page and "And 50 more problems." in page
    assert page.count("is not between 1900 and") == 200


def test_missing_columns_are_named(officer_client, world):
    upload(officer_client, roll_file("Асанов Асан;м", header="ФИО;Пол"))
    page = officer_client.get(f"{ROLL}/import/{last_import().id}").get_data(as_text=True)
    assert "These are missing: Year of birth, Village, Household number." in page


def test_problems_are_shown_in_the_officers_language(officer_client, world):
    upload(officer_client, roll_file("Асанов Асан;1990;x;Ак-Суу;1;"))
    world.officer.locale = "ru"
    db.session.commit()
    page = officer_client.get(f"{ROLL}/import/{last_import().id}").get_data(as_text=True)
    assert "is not a gender" not in page and "непонятное значение пола" in page


@pytest.mark.parametrize(
    ("data", "filename", "message"),
    [
        (b"\x00\x01\x02\x03\x04" * 1000, "roll.csv", "cannot be read as a table"),
        (b"PK\x03\x04" + b"\x00" * 100, "roll.docx", "cannot be read as a table"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "roll.xls", "old Excel version"),
        (b"", "roll.csv", "The file is empty."),
    ],
)
def test_a_file_that_is_not_a_roll_gets_a_message(officer_client, world, data, filename, message):
    response = upload(officer_client, data, filename)
    if response.status_code == 302:
        response = officer_client.get(response.headers["Location"])
    page = response.get_data(as_text=True)
    assert message in page and "Add to the roll" not in page
    assert on_roll() == 0


def test_no_file_chosen(officer_client, world):
    response = officer_client.post(f"{ROLL}/import", data={})
    assert response.status_code == 200 and "Choose a file." in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(RollImport)) == 0


def test_a_file_over_the_roll_limit_gets_a_message(app, officer_client, world):
    app.config["ROLL_FILE_MAX_BYTES"] = 1024 * 1024
    data = roll_file(*LINES * 10000)
    assert len(data) > 1024 * 1024
    response = upload(officer_client, data)
    page = officer_client.get(response.headers["Location"]).get_data(as_text=True)
    assert "The file is larger than 1 MB." in page and "Add to the roll" not in page
    assert on_roll() == 0


def test_a_body_over_the_request_limit_is_a_413_page_not_an_error(app, officer_client, world):
    app.config["MAX_CONTENT_LENGTH"] = 64 * 1024
    response = upload(officer_client, b"x" * (128 * 1024))
    assert response.status_code == 413
    assert "The file is larger than" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(RollImport)) == 0
    # Anyone else sending as much gets the plain page, and no error.
    council = app.test_client(user=world.council)
    assert upload(council, b"x" * (128 * 1024)).status_code == 413
    assert (
        officer_client.post(f"{ROLL}/new", data={"full_name": "x" * (128 * 1024)}).status_code
        == 413
    )


def test_a_20_mb_file_is_refused_with_a_message(officer_client, world):
    data = roll_file(*LINES * 150_000, encoding="utf-8")
    assert len(data) > 20 * 1024 * 1024
    response = upload(officer_client, data)
    assert response.status_code == 413
    assert "The file is larger than 10 MB." in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(RollImport)) == 0


def test_an_xlsx_register_is_imported(officer_client, world):
    import openpyxl

    book = openpyxl.Workbook()
    book.active.append(["Аты-жөнү", "Туулган жылы", "Жынысы", "Айыл", "Түтүн"])
    book.active.append(["Мамытова Гүлнара", 1985, "аял", "Кара-Булак", 3])
    out = io.BytesIO()
    book.save(out)
    upload(officer_client, out.getvalue(), "register.xlsx")
    officer_client.post(f"{ROLL}/import/{last_import().id}")
    entry = db.session.scalars(select(RollEntry)).one()
    assert entry.full_name == "Мамытова Гүлнара" and entry.village.name == "Кара-Булак"


def test_unconfirmed_imports_do_not_pile_up(officer_client, world):
    upload(officer_client, roll_file(*LINES))
    stale = last_import()
    stale.created_at = utcnow() - timedelta(days=2)
    db.session.commit()
    upload(officer_client, roll_file(*LINES))
    upload(officer_client, roll_file(*LINES))
    # (SQLite may give the stale import's id to a new one: compared by age, not by id.)
    assert db.session.scalar(select(func.count()).select_from(RollImport)) == 2
    oldest = db.session.scalar(select(func.min(RollImport.created_at)))
    assert oldest > utcnow() - timedelta(hours=1)


def test_villages_changed_between_preview_and_confirm(officer_client, world):
    upload(officer_client, roll_file("Токтогулов Бакыт;1960;м;Кара-Булак;7;"))
    municipality_services.save_municipality(
        world.admin,
        municipality_services.MunicipalityData(
            slug="ak-suu",
            name_ky=None,
            name_ru=None,
            name_en="Ak-Suu",
            region=None,
            village_names=["Ак-Суу"],
        ),
        world.municipality,
    )
    response = officer_client.post(f"{ROLL}/import/{last_import().id}", follow_redirects=True)
    assert "villages have changed" in response.get_data(as_text=True)
    assert on_roll() == 0


def test_another_municipalitys_import_is_not_found(app, officer_client, world):
    upload(officer_client, roll_file(*LINES))
    ton = app.test_client(user=world.outside_officer)
    roll_import = last_import()
    assert ton.get(f"/m/ton/roll/import/{roll_import.id}").status_code == 404
    assert ton.post(f"/m/ton/roll/import/{roll_import.id}").status_code == 404
    assert on_roll() == 0


# --- by hand -----------------------------------------------------------------------------------


def entry_form(world, **fields):
    data = {
        "full_name": "Садыкова Нургуль",
        "birth_year": "1992",
        "gender": "female",
        "village_id": str(world.village.id),
        "household": "21",
        "phone": "0700 123 456",
    }
    data.update(fields)
    return data


def test_officer_adds_a_person_by_hand(officer_client, world):
    response = officer_client.post(f"{ROLL}/new", data=entry_form(world))
    assert response.status_code == 302
    entry = db.session.scalars(select(RollEntry)).one()
    assert (entry.full_name, entry.name_key, entry.birth_year, entry.gender) == (
        "Садыкова Нургуль",
        "садыкова нургуль",
        1992,
        Gender.FEMALE,
    )
    assert entry.phone == "+996 700 123 456" and entry.household == "21"


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"full_name": " -- "}, "Write the person&#39;s full name."),
        ({"full_name": "x" * 201}, "Write at most 200 characters."),
        ({"birth_year": "1850"}, "Write a number from 1900 to"),
        ({"birth_year": "2999"}, "Write a number from 1900 to"),
        ({"birth_year": "abc"}, "Not a valid integer value."),
        ({"gender": "other"}, "Not a valid choice."),
        ({"village_id": "999999"}, "Not a valid choice."),
        ({"household": ""}, "This field is required."),
        ({"phone": "12345"}, "Write the phone number like this"),
    ],
)
def test_a_person_added_by_hand_is_checked(officer_client, world, fields, message):
    response = officer_client.post(f"{ROLL}/new", data=entry_form(world, **fields))
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert on_roll() == 0


def test_another_municipalitys_village_is_refused(officer_client, world):
    village = world.other_municipality.villages[0]
    response = officer_client.post(f"{ROLL}/new", data=entry_form(world, village_id=village.id))
    assert response.status_code == 200 and on_roll() == 0


def test_a_likely_duplicate_added_by_hand_needs_the_box_ticked(officer_client, world):
    make_entry(world, "Садыкова Нургуль", 1992)
    response = officer_client.post(
        f"{ROLL}/new", data=entry_form(world, full_name="САДЫКОВА нургуль")
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "is on the roll already" in page
    assert "This is another person: add anyway" in page
    assert on_roll() == 1
    response = officer_client.post(
        f"{ROLL}/new", data=entry_form(world, full_name="САДЫКОВА нургуль", allow_duplicate="y")
    )
    assert response.status_code == 302 and on_roll() == 2


def test_officer_corrects_a_person(officer_client, world):
    entry = make_entry(world, user_id=world.resident.id)
    url = f"{ROLL}/{entry.id}"
    page = officer_client.get(url).get_data(as_text=True)
    assert 'value="Асанов Асан"' in page and "Confirmed account: yes" in page
    village = world.municipality.villages[1]
    response = officer_client.post(
        url,
        data=entry_form(
            world, full_name="Асанов Асанбек", gender="male", village_id=village.id, phone=""
        ),
    )
    assert response.status_code == 302
    db.session.refresh(entry)
    assert (entry.full_name, entry.name_key, entry.village_id, entry.phone) == (
        "Асанов Асанбек",
        "асанов асанбек",
        village.id,
        None,
    )
    assert entry.user_id == world.resident.id
    bad = officer_client.post(url, data=entry_form(world, birth_year="1800"))
    assert bad.status_code == 200
    db.session.refresh(entry)
    assert entry.birth_year == 1992


def test_another_municipalitys_person_is_not_found(officer_client, world):
    other = make_entry(
        world,
        village=world.other_municipality.villages[0],
        municipality_id=world.other_municipality.id,
    )
    for url in (f"{ROLL}/{other.id}", f"{ROLL}/{other.id}/remove"):
        assert officer_client.get(url).status_code == 404
        assert officer_client.post(url, data=entry_form(world)).status_code == 404
    assert db.session.get(RollEntry, other.id).full_name == "Асанов Асан"


def test_removing_a_person_asks_first(officer_client, world):
    entry = make_entry(world)
    page = officer_client.get(f"{ROLL}/{entry.id}/remove").get_data(as_text=True)
    assert "Remove Асанов Асан from the roll?" in page and 'method="post"' in page
    assert on_roll() == 1
    response = officer_client.post(f"{ROLL}/{entry.id}/remove")
    assert response.status_code == 302 and on_roll() == 0


def test_removing_a_confirmed_person_unlinks_the_account(officer_client, world):
    entry = make_entry(world, user_id=world.resident.id)
    page = officer_client.get(f"{ROLL}/{entry.id}/remove").get_data(as_text=True)
    assert "takes the confirmation away" in page
    officer_client.post(f"{ROLL}/{entry.id}/remove")
    db.session.refresh(world.resident)
    assert world.resident.roll_entry is None and on_roll() == 0


def test_a_person_who_voted_in_an_open_vote_cannot_be_removed(officer_client, world):
    factories.open_voting(world.consultation, electorate=Electorate.ROLL)
    entry = make_entry(world)
    db.session.add(
        RollMark(
            consultation_id=world.consultation.id,
            entry_digest=voters.entry_mark(world.consultation.id, entry.id),
            channel=Channel.CODE,
        )
    )
    db.session.commit()
    page = officer_client.get(f"{ROLL}/{entry.id}/remove").get_data(as_text=True)
    assert "cannot be removed from the roll until voting closes" in page
    response = officer_client.post(f"{ROLL}/{entry.id}/remove", follow_redirects=True)
    assert "cannot be removed from the roll until voting closes" in response.get_data(as_text=True)
    assert on_roll() == 1


def test_a_village_with_people_on_the_roll_cannot_be_removed(admin_client, world):
    make_entry(world, village=world.municipality.villages[1])
    response = admin_client.post(
        f"/admin/municipalities/{world.municipality.id}/edit",
        data={"slug": "ak-suu", "name_en": "Ak-Suu", "villages": "Ак-Суу"},
    )
    assert "The village Кара-Булак has people on the voter roll and cannot be removed." in (
        response.get_data(as_text=True)
    )
    db.session.refresh(world.municipality)
    assert [v.name for v in world.municipality.villages] == ["Ак-Суу", "Кара-Булак"]
    assert on_roll() == 1
    # A village nobody on the roll lives in can still go.
    response = admin_client.post(
        f"/admin/municipalities/{world.municipality.id}/edit",
        data={"slug": "ak-suu", "name_en": "Ak-Suu", "villages": "Кара-Булак"},
    )
    assert response.status_code == 302


# --- the list and the export ------------------------------------------------------------------


def test_the_roll_is_searched_by_name_and_village(officer_client, world):
    ak_suu, kara_bulak = world.municipality.villages
    make_entry(world, "Асанова Гульнара", 1985, ak_suu, user_id=world.resident.id)
    make_entry(world, "Асанов Бакыт", 1960, kara_bulak)
    make_entry(world, "Токтогулов Нурлан", 1990, ak_suu)
    page = officer_client.get(f"{ROLL}?q=асан").get_data(as_text=True)
    assert "Асанова Гульнара" in page and "Асанов Бакыт" in page and "Нурлан" not in page
    page = officer_client.get(f"{ROLL}?q=асан&village={kara_bulak.id}").get_data(as_text=True)
    assert "Асанов Бакыт" in page and "Гульнара" not in page
    page = officer_client.get(ROLL).get_data(as_text=True)
    assert "3 people are on the roll." in page
    assert page.count("<td>yes</td>") == 1 and page.count("<td>no</td>") == 2
    # A mangled filter shows the roll, not an error.
    assert officer_client.get(f"{ROLL}?village=abc").status_code == 200


def test_the_roll_page_costs_the_same_queries_however_many_are_shown(
    officer_client, world, count_queries
):
    make_entry(world, "Асанов Асан")
    officer_client.get(ROLL)
    with count_queries() as few:
        officer_client.get(ROLL)
    for n in range(20):
        make_entry(world, f"Person {n}", user_id=None, village=world.municipality.villages[n % 2])
    with count_queries() as many:
        officer_client.get(ROLL)
    assert many.count == few.count


def _export(client, language="en"):
    return client.get(f"{ROLL}/export.csv", headers={"Accept-Language": language})


@pytest.mark.parametrize("language", ["ky", "ru", "en"])
def test_the_export_reads_back_as_the_same_roll(officer_client, world, language):
    ak_suu, kara_bulak = world.municipality.villages
    make_entry(
        world,
        "Мамытова Гүлнара",
        1985,
        kara_bulak,
        gender=Gender.FEMALE,
        phone="+996 555 123 456",
        household="12",
    )
    make_entry(world, "Асанов Асан", 1960, ak_suu, household="3")
    response = _export(officer_client, language)
    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == 'attachment; filename="voter-roll-ak-suu.csv"'
    assert response.mimetype == "text/csv"
    data = response.get_data()
    assert data.startswith("\ufeff".encode())
    assert ";" in data.decode("utf-8-sig").splitlines()[0]
    result = read_roll(
        data, "export.csv", {v.name: v.id for v in world.municipality.villages}, 2026, 10**7
    )
    assert result.problems == []
    assert [
        (r["full_name"], r["birth_year"], r["gender"], r["village_id"], r["household"], r["phone"])
        for r in result.rows
    ] == [
        ("Асанов Асан", 1960, "male", ak_suu.id, "3", None),
        ("Мамытова Гүлнара", 1985, "female", kara_bulak.id, "12", "+996 555 123 456"),
    ]


def test_the_export_neutralises_formulas(officer_client, world):
    make_entry(world, '=HYPERLINK("http://evil","click")', household="@SUM(A1)")
    make_entry(world, "-2+3", household="+1")
    text = _export(officer_client).get_data().decode("utf-8-sig")
    lines = text.splitlines()[1:]
    assert all(
        not cell.lstrip('"').startswith(("=", "+", "-", "@"))
        for line in lines
        for cell in line.split(";")
    )
    assert "'=HYPERLINK" in text and "'@SUM(A1)" in text and "'-2+3" in text and "'+1" in text
    result = read_roll(
        text.encode(), "x.csv", {v.name: v.id for v in world.municipality.villages}, 2026, 10**7
    )
    assert sorted(r["full_name"] for r in result.rows) == [
        "-2+3",
        '=HYPERLINK("http://evil","click")',
    ]
    assert sorted(r["household"] for r in result.rows) == ["+1", "@SUM(A1)"]


def test_an_exported_and_corrected_roll_can_be_imported_again(officer_client, world):
    upload(officer_client, roll_file(*LINES))
    officer_client.post(f"{ROLL}/import/{last_import().id}")
    exported = _export(officer_client, "ru").get_data()
    upload(officer_client, exported, "voter-roll.csv")
    page = officer_client.get(f"{ROLL}/import/{last_import().id}").get_data(as_text=True)
    # Everyone is already there: nothing new, three likely duplicates.
    assert "0 people will be added to the roll." in page and "3 lines have the same name" in page


def test_the_municipality_page_links_to_the_roll_for_officers_only(
    officer_client, resident_client, world
):
    assert f'href="{ROLL}"' in officer_client.get("/m/ak-suu").get_data(as_text=True)
    assert f'href="{ROLL}"' not in resident_client.get("/m/ak-suu").get_data(as_text=True)


# --- who may ----------------------------------------------------------------------------------


def _routes(entry_id: int, import_id: int) -> list[tuple[str, str]]:
    return [
        ("GET", ROLL),
        ("GET", f"{ROLL}/import"),
        ("POST", f"{ROLL}/import"),
        ("GET", f"{ROLL}/import/{import_id}"),
        ("POST", f"{ROLL}/import/{import_id}"),
        ("GET", f"{ROLL}/new"),
        ("POST", f"{ROLL}/new"),
        ("GET", f"{ROLL}/{entry_id}"),
        ("POST", f"{ROLL}/{entry_id}"),
        ("GET", f"{ROLL}/{entry_id}/remove"),
        ("POST", f"{ROLL}/{entry_id}/remove"),
        ("GET", f"{ROLL}/export.csv"),
    ]


@pytest.mark.parametrize("who", ["council", "resident", "outside_officer", "outsider", "admin"])
def test_only_the_municipalitys_officers_keep_the_roll(app, world, who):
    entry = make_entry(world)
    roll_import = entries.read_roll_file(
        world.officer, world.municipality, "r.csv", roll_file(*LINES)
    )
    client = app.test_client(user=getattr(world, who))
    for method, url in _routes(entry.id, roll_import.id):
        data = (
            {"file": (io.BytesIO(roll_file(*LINES)), "r.csv")}
            if url.endswith("import")
            else entry_form(world)
        )
        response = client.open(url, method=method, data=data if method == "POST" else None)
        assert response.status_code == 403, (method, url)
    assert on_roll() == 1 and db.session.get(RollEntry, entry.id).full_name == "Асанов Асан"
    assert db.session.scalar(select(func.count()).select_from(RollImport)) == 1


def test_visitors_are_sent_to_log_in(client, world):
    response = client.get(ROLL)
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    response = client.get(f"{ROLL}/export.csv")
    assert response.status_code == 302


def test_the_services_check_the_officer_themselves(world):
    entry = make_entry(world)
    for actor in (world.council, world.outside_officer):
        with pytest.raises(PermissionDenied):
            entries.remove_entry(actor, entry)
        with pytest.raises(PermissionDenied):
            entries.export_roll(actor, world.municipality)
    assert on_roll() == 1


def test_forms_without_the_csrf_token_are_refused(csrf_app):
    world = factories.build_world()
    entry = make_entry(world)
    client = csrf_app.test_client(user=world.officer)
    assert upload(client, roll_file(*LINES)).status_code == 400
    assert client.post(f"{ROLL}/new", data=entry_form(world)).status_code == 400
    assert client.post(f"{ROLL}/{entry.id}/remove").status_code == 400
    assert db.session.scalar(select(func.count()).select_from(RollImport)) == 0
    assert on_roll() == 1
