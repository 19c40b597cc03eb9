"""Pages at city scale (issue 18): with 1,000 proposals, no page is over 100 KB compressed.

A city's ballot, results and review queue grow with its proposals; villages read them over
mobile data. Compression is nginx's (the block in the README's production section, read from
the README itself and run in a real nginx where it is installed: Debian's ``nginx-light``);
the in-process check compresses each page as that block does and always runs.

Each consultation has 1,000 proposals with titles and descriptions of a realistic length, in
Kyrgyz and Russian from a varied vocabulary (repetitive text would compress better than real
proposals do): one voting, one under review, one published with its stored result.
"""

from __future__ import annotations

import gzip
import http.cookiejar
import random
import re
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import select

from pb.extensions import db
from pb.models import (
    BallotKind,
    Beneficiary,
    Consultation,
    Gender,
    Phase,
    Proposal,
    ProposalBeneficiary,
    ProposalStatus,
    User,
    Village,
)
from pb.results.counting import count_and_store
from pb.voting import services as voting
from tests import factories
from tests.test_proxy import serve_behind_nginx

LIMIT = 100 * 1024
PROPOSALS = 1_000
README = Path(__file__).resolve().parent.parent / "README.md"

_WORDS = [
    "ремонт",
    "капитальный",
    "дороги",
    "улицы",
    "по",
    "водопровод",
    "скважина",
    "насос",
    "мектептин",
    "спорт",
    "зал",
    "детский",
    "сад",
    "бала",
    "бакча",
    "жарыктандыруу",
    "освещение",
    "фонари",
    "көпүрө",
    "мост",
    "через",
    "арык",
    "ирригациялык",
    "канал",
    "спортивная",
    "площадка",
    "для",
    "детей",
    "и",
    "молодёжи",
    "сейил",
    "бак",
    "парк",
    "отдыха",
    "тротуар",
    "пешеходный",
    "оорукана",
    "фельдшерско-акушерский",
    "пункт",
    "китепкана",
    "библиотека",
    "маданият",
    "үйү",
    "дом",
    "культуры",
    "асфальттоо",
    "асфальтирование",
    "канализация",
    "тазалоо",
    "очистные",
    "сооружения",
    "тосмо",
    "ограждение",
    "аялдама",
    "остановка",
    "общественного",
    "транспорта",
    "отургучтар",
    "скамейки",
    "дарактарды",
    "отургузуу",
    "озеленение",
    "посадка",
    "деревьев",
    "таштанды",
    "вывоз",
    "мусора",
    "контейнерлер",
    "площадки",
    "суу",
    "сактагыч",
    "резервуар",
    "питьевой",
    "воды",
    "жылуулук",
    "отопление",
    "котельная",
    "мечить",
    "крыша",
    "чатыр",
    "айыл",
    "өкмөтү",
    "жамаат",
    "жаштар",
    "борбору",
    "молодёжный",
    "центр",
    "аялдар",
    "кеңеши",
    "женский",
    "совет",
    "ардагерлер",
    "ветераны",
    "стадион",
    "футбольное",
    "поле",
    "волейбол",
    "базар",
    "рынок",
    "мал",
    "дарыгерлик",
    "ветеринарный",
    "пункт",
    "жайыт",
    "пастбище",
    "кыштак",
    "зимовка",
    "электр",
    "линиясы",
    "трансформатор",
    "подстанция",
    "интернет",
    "wi-fi",
    "видео",
    "байкоо",
    "видеонаблюдение",
    "өрт",
    "өчүрүү",
    "пожарный",
    "гидрант",
    "кар",
    "тазалоочу",
    "техника",
    "снегоуборочная",
]
_PLACES = ("Ак-Суу", "Кара-Булак", "Жети-Өгүз", "Тоң", "Ананьево", "Бөкөнбаев", "Кызыл-Суу")


def _text(rng: random.Random, low: int, high: int) -> str:
    """Words drawn at random, with places and numbers, to between ``low`` and ``high`` letters."""
    limit = rng.randint(low, high)
    words: list[str] = []
    while len(" ".join(words)) < limit:
        roll = rng.random()
        if roll < 0.08:
            words.append(rng.choice(_PLACES))
        elif roll < 0.12:
            words.append(f"№{rng.randint(1, 250)}")
        else:
            words.append(rng.choice(_WORDS))
    return " ".join(words)[:limit].rstrip().capitalize()


def _add_proposals(consultation: Consultation, status: ProposalStatus, rng: random.Random) -> None:
    for _ in range(PROPOSALS):
        proposal = Proposal(
            consultation_id=consultation.id,
            title=_text(rng, 50, 140),
            description=". ".join(_text(rng, 60, 160) for _ in range(rng.randint(3, 8))) + ".",
            estimated_cost=rng.randint(20, 900) * 1_000,
            category_id=rng.choice(consultation.categories).id,
            village_id=rng.choice(consultation.villages).id,
            language=rng.choice(("ky", "ru")),
            status=status,
        )
        proposal.beneficiary_rows = [ProposalBeneficiary(group=Beneficiary.EVERYONE)]
        db.session.add(proposal)
    db.session.commit()


@dataclass
class City:
    """The pages of a city's consultations: (who reads it, path)."""

    pages: dict[str, tuple[str, str]]


def build_city() -> City:
    rng = random.Random(18)
    world = factories.build_world()
    municipality = world.municipality
    municipality.villages = list(municipality.villages) + [
        Village(name=name) for name in _PLACES[2:]
    ]
    db.session.commit()
    voting_ = factories.make_consultation(municipality)
    _add_proposals(voting_, ProposalStatus.ACCEPTED, rng)
    voting_.ballot_kind = BallotKind.BUDGET
    voting_.allow_codes = True
    voting_.phase = Phase.VOTING
    db.session.commit()
    # A full page of code slips (SLIPS_PER_PAGE): its QR codes weigh, not the proposals.
    batch = voting.generate_codes(world.officer, voting_, 320, None)
    db.session.commit()

    review = factories.make_consultation(municipality, phase=Phase.REVIEW)
    _add_proposals(review, ProposalStatus.SUBMITTED, rng)
    waiting = db.session.scalars(
        select(Proposal.id).where(Proposal.consultation_id == review.id)
    ).first()

    published = factories.make_consultation(municipality, phase=Phase.VOTING)
    _add_proposals(published, ProposalStatus.ACCEPTED, rng)
    ids = list(
        db.session.scalars(select(Proposal.id).where(Proposal.consultation_id == published.id))
    )
    for _ in range(500):
        factories.make_ballot(
            published,
            choices=[(pid, 1) for pid in rng.sample(ids, rng.randint(1, 8))],
            gender=rng.choice(list(Gender)),
            village_id=rng.choice(municipality.villages).id,
        )
    factories.seal_ballots(published)
    published.phase = Phase.PUBLISHED
    count_and_store(published)
    db.session.commit()

    v, r, p, slug = voting_.id, review.id, published.id, municipality.slug
    return City(
        pages={
            "consultation, voting": ("officer", f"/c/{v}"),
            "ballot": ("officer", f"/c/{v}/vote"),
            "proposals list": ("officer", f"/c/{v}/proposals"),
            "a proposal": ("anyone", f"/p/{ids[0]}"),
            "blank ballot, printed": ("officer", f"/c/{v}/print/ballot"),
            "paper ballots, typed in": ("officer", f"/c/{v}/paper-ballots"),
            "code slips, a full page": ("officer", f"/c/{v}/codes/{batch.id}/slips"),
            "turnout": ("officer", f"/c/{v}/turnout"),
            "consultation, review": ("officer", f"/c/{r}"),
            "review queue": ("officer", f"/c/{r}/review"),
            "review queue, last page": ("officer", f"/c/{r}/review?page=20"),
            "reviewing a proposal": ("officer", f"/p/{waiting}/review"),
            "consultation, published": ("anyone", f"/c/{p}"),
            "results": ("anyone", f"/c/{p}/results"),
            "participation": ("anyone", f"/c/{p}/participation"),
            "protocol": ("officer", f"/c/{p}/protocol"),
            "council decision": ("council", f"/c/{p}/decision"),
            "implementation": ("anyone", f"/c/{p}/implementation"),
            "execution report": ("anyone", f"/c/{p}/execution-report"),
            "municipality": ("anyone", f"/m/{slug}"),
            "officer's tasks": ("officer", f"/m/{slug}/tasks"),
        }
    )


def documented_gzip() -> str:
    """The README's nginx compression block, as an operator would paste it."""
    blocks = re.findall(r"^```\n(.*?)^```", README.read_text(encoding="utf-8"), re.S | re.M)
    (block,) = [b for b in blocks if b.startswith("gzip on;")]
    return block


def documented_level() -> int:
    match = re.search(r"gzip_comp_level (\d+);", documented_gzip())
    return int(match.group(1)) if match else 1  # nginx's default


def _too_big(sizes: dict[str, int]) -> dict[str, str]:
    return {name: f"{size / 1024:.1f} KB" for name, size in sizes.items() if size > LIMIT}


def test_the_documented_nginx_block_compresses_pages_and_their_assets():
    block = documented_gzip()
    assert "gzip_proxied any;" in block and "gzip_vary on;" in block
    for mimetype in ("text/css", "application/javascript", "application/json", "image/svg+xml"):
        assert mimetype in block


def test_no_page_is_over_100_kb_compressed_with_1000_proposals(app):
    """Compressed in process at the README's level: runs wherever the suite runs."""
    city = build_city()
    clients = {"anyone": app.test_client()} | {
        who: app.test_client(user=db.session.scalars(select(User).filter_by(username=who)).one())
        for who in ("officer", "council")
    }
    sizes = {}
    for name, (who, path) in city.pages.items():
        response = clients[who].get(path)
        assert response.status_code == 200, (name, response.status_code)
        body = response.get_data()
        sizes[name] = len(gzip.compress(body, compresslevel=documented_level()))
    assert not _too_big(sizes), _too_big(sizes)
    # The ballot really lists all 1,000 proposals: the page is small because it is compressed.
    ballot = clients["officer"].get(city.pages["ballot"][1]).get_data(as_text=True)
    assert ballot.count('name="choice"') == PROPOSALS


class _Session:
    """A browser through nginx: keeps cookies, asks for gzip, reads the bytes as sent."""

    def __init__(self, port: int) -> None:
        self.base = f"http://127.0.0.1:{port}"
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )

    def get(self, path: str) -> tuple[int, dict[str, str], bytes]:
        request = urllib.request.Request(
            self.base + path, headers={"Accept-Encoding": "gzip", "Accept-Language": "en"}
        )
        with self.opener.open(request, timeout=60) as response:
            return response.status, dict(response.headers), response.read()

    def log_in(self, login: str) -> None:
        body = urllib.parse.urlencode({"login": login, "password": factories.PASSWORD}).encode()
        request = urllib.request.Request(self.base + "/login", data=body)
        with self.opener.open(request, timeout=60) as response:
            # Followed to the page after logging in; the login form again means it failed.
            assert "/login" not in response.url


@pytest.fixture
def city_behind_nginx(tmp_path, _database):
    extra = "\n".join("  " + line for line in documented_gzip().splitlines())
    yield from serve_behind_nginx(tmp_path, build=build_city, http_extra=extra)


def test_through_nginx_with_the_readme_block_no_page_is_over_100_kb(city_behind_nginx, tmp_path):
    port, city = city_behind_nginx
    # The block as documented draws no warning (naming text/html in gzip_types would).
    assert "[warn]" not in (tmp_path / "error.log").read_text(encoding="utf-8")
    sessions = {"anyone": _Session(port), "officer": _Session(port), "council": _Session(port)}
    sessions["officer"].log_in("officer")
    sessions["council"].log_in("council")
    sizes = {}
    for name, (who, path) in city.pages.items():
        status, headers, body = sessions[who].get(path)
        assert status == 200, (name, status)
        assert headers.get("Content-Encoding") == "gzip", name
        assert "Accept-Encoding" in headers.get("Vary", ""), name
        assert gzip.decompress(body).rstrip().endswith(b"</html>"), name
        sizes[name] = len(body)
    assert not _too_big(sizes), _too_big(sizes)
    # The stylesheet and scripts are compressed too (by type, gzip_types).
    for asset in ("/static/pb.css", "/static/ballot.js"):
        _status, headers, _body = sessions["anyone"].get(asset)
        assert headers.get("Content-Encoding") == "gzip", asset
