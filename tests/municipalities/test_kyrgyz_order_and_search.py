"""Kyrgyz alphabetical order of listed names, and search that folds case and ө, ү, ң, ё, on
the database the tests run on (SQLite, or PostgreSQL with TEST_DATABASE_URL)."""

from pb.extensions import db
from pb.models import ProposalStatus
from pb.municipalities.services import municipality_choices, search
from pb.proposals.services import merge_targets
from pb.roll.confirmations import resident_accounts
from pb.roll.search import search_entries
from pb.voting.services import ballot_proposals
from tests import factories

# Shuffled; in Kyrgyz order they read Ноокат, Ңаа, Орто-Сай, Өзгөрүш, Улуу-Тоо, Үч-Коргон, Ясное.
NAMES = ("Ясное", "Үч-Коргон", "Ңаа", "Өзгөрүш", "Ноокат", "Улуу-Тоо", "Орто-Сай")
IN_ORDER = ["Ноокат", "Ңаа", "Орто-Сай", "Өзгөрүш", "Улуу-Тоо", "Үч-Коргон", "Ясное"]


def _municipality(name_ky, name_ru=None, villages=("Борбор",), **fields):
    municipality = factories.make_municipality(villages=villages)
    municipality.name_ky = name_ky
    municipality.name_ru = name_ru
    municipality.name_en = None
    for key, value in fields.items():
        setattr(municipality, key, value)
    db.session.commit()
    return municipality


def test_a_municipalitys_villages_are_in_kyrgyz_order(app):
    municipality = factories.make_municipality(villages=NAMES)
    db.session.expire_all()
    assert [v.name for v in municipality.villages] == IN_ORDER


def test_a_consultations_villages_are_in_kyrgyz_order(app):
    municipality = factories.make_municipality(villages=NAMES)
    consultation = factories.make_consultation(municipality)
    db.session.expire_all()
    assert [v.name for v in consultation.villages] == IN_ORDER


def test_municipalities_are_listed_in_kyrgyz_order(app):
    for name in NAMES:
        _municipality(name)
    found = [m.name_ky for m in search(None, 1).items]
    assert found == IN_ORDER
    with app.test_request_context(headers={"Accept-Language": "ky"}):
        assert [name for _id, name in municipality_choices()] == IN_ORDER


def test_municipalities_are_listed_by_the_name_the_reader_sees(app, client):
    _municipality("Ө-айыл", name_ru="Б-село")
    _municipality("А-айыл", name_ru="В-село")
    page = client.get("/", headers={"Accept-Language": "ru"}).get_data(as_text=True)
    assert page.index("Б-село") < page.index("В-село")
    page = client.get("/", headers={"Accept-Language": "ky"}).get_data(as_text=True)
    assert page.index("А-айыл") < page.index("Ө-айыл")


def test_proposals_on_the_ballot_are_in_kyrgyz_order(app, world):
    for title in NAMES:
        factories.make_proposal(world.consultation, status=ProposalStatus.ACCEPTED, title=title)
    assert [p.title for p in ballot_proposals(world.consultation)] == IN_ORDER
    first = ballot_proposals(world.consultation)[0]
    assert [p.title for p in merge_targets(first)] == IN_ORDER[1:]


def test_suu_finds_ak_suu_whatever_the_case(app):
    ak_suu = _municipality("Ак-Суу айыл өкмөтү", name_ru="Ак-Суйский айыл окмоту")
    _municipality("Тоң айыл өкмөтү")
    for typed in ("суу", "Суу", "СУУ", "ак-суу", "  ак-суу "):
        assert [m.id for m in search(typed, 1).items] == [ak_suu.id], typed


def test_russian_keyboard_letters_find_kyrgyz_ones(app):
    ton = _municipality("Тоң айыл өкмөтү", name_ru="Тонский айыл окмоту")
    tort_kol = _municipality("Төрт-Көл айыл өкмөтү")
    assert [m.id for m in search("тон", 1).items] == [ton.id]
    assert [m.id for m in search("ТОҢ", 1).items] == [ton.id]
    assert [m.id for m in search("торт", 1).items] == [tort_kol.id]


def test_a_municipality_is_found_by_its_villages_and_its_region(app):
    found = _municipality(
        "Биринчи айыл өкмөтү",
        villages=("Жаңы-Жол", "Ак-Терек"),
        region="Ысык-Көл облусу",
        region_ru="Иссык-Кульская область",
    )
    _municipality("Экинчи айыл өкмөтү", villages=("Бар-Булак",))
    for typed in ("жаны-жол", "терек", "ысык-кол", "иссык", "ЖАҢЫ ТЕРЕК"):
        assert [m.id for m in search(typed, 1).items] == [found.id], typed


def test_search_finds_nothing_rather_than_everything_for_wildcards(app):
    _municipality("Ак-Суу айыл өкмөтү")
    assert search("%", 1).items == []
    assert search("_", 1).items == []


def test_the_home_page_search_finds_ak_suu(app, client):
    _municipality("Ак-Суу айыл өкмөтү")
    _municipality("Тоң айыл өкмөтү")
    page = client.get("/?q=суу").get_data(as_text=True)
    assert "Ак-Суу айыл өкмөтү" in page
    assert "Тоң айыл өкмөтү" not in page
    page = client.get("/?q=тон").get_data(as_text=True)
    assert "Тоң айыл өкмөтү" in page
    assert "Ак-Суу айыл өкмөтү" not in page


def test_the_roll_is_searched_and_listed_in_kyrgyz_order(app, world):
    for name in ("Тоңов Асан", "Тонов Бакыт", "Өмүрова Айгүл", "Омурова Айгул", "Асанова Гүлнара"):
        factories.make_roll_entry(world.municipality, full_name=name)
    found = [e.full_name for e in search_entries(world.municipality.id, "тон")]
    assert found == ["Тонов Бакыт", "Тоңов Асан"]
    found = [e.full_name for e in search_entries(world.municipality.id, "ӨМҮР АЙГҮЛ")]
    assert found == ["Омурова Айгул", "Өмүрова Айгүл"]
    assert [e.full_name for e in search_entries(world.municipality.id, "гулнара")] == [
        "Асанова Гүлнара"
    ]
    everyone = [e.full_name for e in search_entries(world.municipality.id)]
    assert everyone == [
        "Асанова Гүлнара",
        "Омурова Айгул",
        "Өмүрова Айгүл",
        "Тонов Бакыт",
        "Тоңов Асан",
    ]


def test_resident_accounts_are_found_in_any_case(app, world):
    for typed in ("айзада", "АЙЗАДА", "Айзада"):
        found = resident_accounts(world.municipality, typed).accounts
        assert [a.user.id for a in found] == [world.resident.id], typed


def test_proposals_are_found_by_words_of_their_title_or_description(app, world, client):
    water = factories.make_proposal(
        world.consultation, status=ProposalStatus.ACCEPTED, title="Ак-Суу айылына суу түтүгү"
    )
    road = factories.make_proposal(
        world.consultation,
        status=ProposalStatus.ACCEPTED,
        title="Жол оңдоо",
        description="Тоң районундагы жолду асфальттоо, 5 км.",
    )
    url = f"/c/{world.consultation.id}/proposals"

    def found(typed):
        page = client.get(url, query_string={"q": typed}).get_data(as_text=True)
        return {p.title for p in (water, road) if p.title in page}

    assert found("суу") == {water.title}
    assert found("ТҮТҮГҮ") == {water.title}
    assert found("тутугу") == {water.title}
    assert found("тон асфальт") == {road.title}
    assert found("ондоо") == {road.title}
    assert found("") == {water.title, road.title}
    assert found("%") == set()
    assert found("x" * 101) == {water.title, road.title}  # too long: ignored, as bad filters are
