"""Demo data for `make run`: two municipalities, one account per role, a consultation under way.

Everything goes through the services, so the demo obeys the same rules as real use.
"""

from __future__ import annotations

import io
from datetime import date, timedelta

from PIL import Image, ImageDraw
from sqlalchemy import select
from werkzeug.datastructures import FileStorage

from pb.auth.services import Profile, create_admin, register_resident
from pb.consultations.services import ConsultationData, advance_phase, create_consultation
from pb.extensions import db
from pb.implementation.services import ImplementationData, post_update, save_implementation
from pb.models import (
    BallotKind,
    Beneficiary,
    Electorate,
    Gender,
    Membership,
    Municipality,
    Phase,
    Proposal,
    Role,
    RollEntry,
    User,
    Village,
)
from pb.models.base import utcnow
from pb.models.implementation import ImplementationStatus, Photo
from pb.municipalities.services import MunicipalityData, save_municipality
from pb.photos.services import store_upload
from pb.proposals.services import (
    PaperOrigin,
    ProposalData,
    accept,
    enter_paper_proposal,
    reject,
    submit_proposal,
)
from pb.roll.confirmations import confirm_account, save_contacts
from pb.roll.entries import import_roll, read_roll_file
from pb.voting.casting import Submission, cast_ballot
from pb.voting.kinds import SentChoices
from pb.voting.services import (
    VotingSettings,
    add_paper_ballot,
    details_from_profile,
    generate_codes,
    save_settings,
)
from pb.voting.sheets import VoterDetails

DEMO_PASSWORD = "demo1234"


def load_demo_data() -> None:
    admin = create_admin("admin", DEMO_PASSWORD, "Администратор")
    ak_suu = save_municipality(
        admin,
        MunicipalityData(
            slug="ak-suu",
            name_ky="Ак-Суу айыл өкмөтү",
            name_ru="Ак-Суйский айыл окмоту",
            name_en="Ak-Suu rural municipality",
            region="Ысык-Көл облусу",
            region_ru="Иссык-Кульская область",
            region_en="Issyk-Kul Region",
            village_names=["Ак-Суу", "Кара-Булак", "Жаңы-Жол", "Тегизчил"],
        ),
    )
    save_municipality(
        admin,
        MunicipalityData(
            slug="ton",
            name_ky="Тоң айыл өкмөтү",
            name_ru="Тонский айыл окмоту",
            name_en="Ton rural municipality",
            region="Ысык-Көл облусу",
            region_ru="Иссык-Кульская область",
            region_en="Issyk-Kul Region",
            village_names=["Боконбаев", "Кажы-Сай"],
        ),
    )
    villages = {v.name: v for v in ak_suu.villages}

    def resident(
        login: str,
        name: str,
        gender: Gender,
        locale: str = "ky",
        birth_year: int | None = None,
        village_id: int | None = None,
    ) -> User:
        kwargs = {"phone": login} if login.startswith("+") else {"username": login}
        return register_resident(
            municipality=ak_suu,
            password=DEMO_PASSWORD,
            profile=Profile(name, locale, gender, birth_year, village_id),
            **kwargs,
        )

    officer = resident("officer", "Айгүл Асанова", gender=Gender.FEMALE, locale="ru")
    council = resident("council", "Бакыт Токтогулов", gender=Gender.MALE)
    for user, role in ((officer, Role.OFFICER), (council, Role.COUNCIL)):
        db.session.add(
            Membership(
                user_id=user.id, municipality_id=ak_suu.id, role=role, appointed_by_id=admin.id
            )
        )
    db.session.commit()
    aizada = resident(
        "+996 555 000 001",
        "Айзада Мамытова",
        gender=Gender.FEMALE,
        birth_year=2001,
        village_id=villages["Кара-Булак"].id,
    )
    nurlan = resident(
        "+996 700 000 002",
        "Нурлан Исаев",
        gender=Gender.MALE,
        birth_year=1968,
        village_id=villages["Ак-Суу"].id,
    )

    gulzat = resident(
        "+996 555 000 003",
        "Гүлзат Абдыкадырова",
        gender=Gender.FEMALE,
        birth_year=1995,
        village_id=villages["Тегизчил"].id,
    )
    _voter_roll(officer, ak_suu, confirmed=(aizada, nurlan))
    del gulzat  # on the roll, her account not yet confirmed: the README shows how

    today = utcnow().date()
    consultation = create_consultation(
        officer,
        ak_suu,
        ConsultationData(
            titles={
                "ky": "2027-жылдын бюджети: айылдарыбызга эмне керек?",
                "ru": "Бюджет 2027 года: что нужно нашим сёлам?",
                "en": "Budget 2027: what do our villages need?",
            },
            descriptions={
                "ky": "Жергиликтүү бюджеттин бир бөлүгүн тургундар өздөрү бөлүштүрөт. "
                "Сунушуңузду жөнөтүңүз: айрыкча аялдардын жана жаштардын үнүн күтөбүз.",
                "ru": "Часть местного бюджета распределяют сами жители. Присылайте предложения: "
                "особенно ждём голоса женщин и молодёжи.",
                "en": "Residents decide how part of the local budget is spent. Send your "
                "proposals: we especially want to hear women and young people.",
            },
            budget=2_000_000,
            category_keys=["roads", "water", "schools", "women", "youth", "lighting"],
            custom_categories=[],
            village_ids=[v.id for v in ak_suu.villages],
            proposals_from=today - timedelta(days=7),
            proposals_until=today + timedelta(days=14),
            review_until=today + timedelta(days=21),
            voting_from=today + timedelta(days=22),
            voting_until=today + timedelta(days=36),
            results_on=today + timedelta(days=40),
        ),
    )
    advance_phase(officer, consultation, Phase.DRAFT)
    categories = {c.key: c for c in consultation.categories}

    def propose(
        author: User,
        title: str,
        text: str,
        cost: int,
        key: str,
        village: str,
        groups: list[Beneficiary],
        lang: str = "ky",
    ) -> Proposal:
        return submit_proposal(
            author,
            consultation,
            ProposalData(title, text, cost, categories[key].id, villages[village].id, groups, lang),
        )

    water = propose(
        aizada,
        "Кара-Булакта таза суу түтүгү",
        "Кара-Булактын жогорку көчөсүндө таза суу жок. Аялдар менен балдар суу ташыйт. "
        "300 метр түтүк жана эки кран керек.",
        650_000,
        "water",
        "Кара-Булак",
        [Beneficiary.WOMEN, Beneficiary.CHILDREN],
    )
    propose(
        aizada,
        "Жаштар үчүн спорт аянтчасы",
        "Мектептин жанындагы бош жерге волейбол жана баскетбол аянтчасын куруу.",
        480_000,
        "youth",
        "Кара-Булак",
        [Beneficiary.YOUTH],
    )
    lights = propose(
        nurlan,
        "Освещение центральной улицы Ак-Суу",
        "Установить 25 фонарей на центральной улице: вечером женщинам и детям опасно ходить.",
        350_000,
        "lighting",
        "Ак-Суу",
        [Beneficiary.EVERYONE, Beneficiary.WOMEN],
        "ru",
    )
    road = propose(
        nurlan,
        "Жаңы-Жолго асфальт жол",
        "Жаңы-Жолдон Ак-Сууга чейинки 5 км жолду толугу менен асфальттоо.",
        1_900_000,
        "roads",
        "Жаңы-Жол",
        [Beneficiary.EVERYONE],
    )
    enter_paper_proposal(
        officer,
        consultation,
        ProposalData(
            "Тегизчил бала бакчасына жылуулук",
            "Айыл чогулушунда энелер бала бакчанын пешин алмаштырууну суранышты: кышында суук.",
            220_000,
            categories["schools"].id,
            villages["Тегизчил"].id,
            [Beneficiary.CHILDREN, Beneficiary.WOMEN],
        ),
        PaperOrigin(
            villages["Тегизчил"].id, today - timedelta(days=3), "Гүлнара Т.", Gender.FEMALE, "36-59"
        ),
    )
    accept(officer, water, 700_000)
    _voting_consultation(officer, ak_suu, villages, aizada, nurlan)
    _finished_consultation(officer, ak_suu, villages, aizada)
    accept(officer, lights, None)
    reject(
        officer,
        road,
        "Бул жол райондун жолу: аны район оңдойт. Сунуш райондук администрацияга жөнөтүлдү.",
    )


# The demo roll: people of Ak-Suu as the household register lists them, with the demo
# residents among them (matched by their phone numbers).
_ROLL_PEOPLE = (
    ("Мамытова Айзада Бакытовна", 2001, "ж", "Кара-Булак", "+996 555 000 001"),
    ("Исаев Нурлан Токтосунович", 1968, "м", "Ак-Суу", "+996 700 000 002"),
    ("Абдыкадырова Гүлзат Маратовна", 1995, "ж", "Тегизчил", "+996 555 000 003"),
)
_GIVEN_NAMES = {
    "ж": ("Айгерим", "Бермет", "Гүлнара", "Жылдыз", "Нургүл", "Чолпон", "Динара", "Айнура"),
    "м": ("Азамат", "Бакыт", "Эрлан", "Марат", "Нурбек", "Тилек", "Канат", "Улан"),
}
_FAMILY_NAMES = ("Асан", "Токтогул", "Жумабек", "Осмон", "Сейит", "Турдубай", "Калый", "Молдо")


def _roll_file(village_names: list[str]) -> bytes:
    """A household register export as an ayil okmotu's Excel writes it as "CSV UTF-8": with a
    byte order mark and ';' (Windows-1251 has no ң, ө, ү)."""
    lines = ["ФИО;Год рождения;Пол;Село;Номер хозяйства;Телефон"]
    for name, year, gender, village, phone in _ROLL_PEOPLE:
        lines.append(f"{name};{year};{gender};{village};{100 + len(lines)};{phone}")
    for n in range(60):
        gender = "ж" if n % 2 else "м"
        family = _FAMILY_NAMES[n % len(_FAMILY_NAMES)]
        given = _GIVEN_NAMES[gender][(n // 2) % len(_GIVEN_NAMES[gender])]
        surname = family + ("ова" if gender == "ж" else "ов")
        village = village_names[n % len(village_names)]
        lines.append(f"{surname} {given};{1950 + (n * 7) % 58};{gender};{village};{200 + n // 3};")
    return "\r\n".join(lines).encode("utf-8-sig")


def _voter_roll(officer: User, municipality: Municipality, confirmed: tuple[User, ...]) -> None:
    """The municipality's roll, imported as an officer imports it; two demo residents
    confirmed on it, and the office where residents get confirmed."""
    save_contacts(
        officer,
        municipality,
        office="Ак-Суу айыл өкмөтү, 2-бөлмө (Ак-Суу айылы, Ленин көчөсү, 12)",
        phone="0 3945 5 12 34",
        hours="Дүйшөмбү–жума, 9:00–17:00",
        name="Айгүл Асанова",
    )
    village_names = [village.name for village in municipality.villages]
    roll_import = read_roll_file(
        officer, municipality, "түтүн-китеби.csv", _roll_file(village_names)
    )
    import_roll(officer, roll_import, add_duplicates=False)
    for user in confirmed:
        entry = db.session.scalars(
            select(RollEntry).where(
                RollEntry.municipality_id == municipality.id, RollEntry.phone == user.phone
            )
        ).one()
        confirm_account(officer, user, entry)


def _voting_consultation(
    officer: User, municipality: Municipality, villages: dict[str, Village], *voters: User
) -> None:
    """A second consultation, for youth initiatives, with voting under way."""
    today = utcnow().date()
    consultation = create_consultation(
        officer,
        municipality,
        ConsultationData(
            titles={
                "ky": "Жаштардын демилгелери 2026",
                "ru": "Молодёжные инициативы 2026",
                "en": "Youth initiatives 2026",
            },
            descriptions={
                "ky": "Жаштар үчүн 600\u00a0000\u00a0сомдук бюджет. Добуш бериңиз!",
                "ru": "Бюджет для молодёжи: 600\u00a0000\u00a0сом. Голосуйте!",
                "en": "A budget for young people: 600,000\u00a0som. Vote!",
            },
            budget=600_000,
            category_keys=["youth", "sport_culture", "schools"],
            custom_categories=[],
            village_ids=[v.id for v in municipality.villages],
            proposals_from=today - timedelta(days=40),
            proposals_until=today - timedelta(days=20),
            review_until=today - timedelta(days=5),
            voting_from=today - timedelta(days=2),
            voting_until=today + timedelta(days=12),
            results_on=today + timedelta(days=15),
        ),
    )
    save_settings(
        officer,
        consultation,
        VotingSettings(
            BallotKind.BUDGET,
            None,
            None,
            allow_accounts=True,
            allow_codes=True,
            allow_paper=True,
            electorate=Electorate.ROLL,
            min_age=14,
        ),
    )
    advance_phase(officer, consultation, Phase.DRAFT)
    categories = {c.key: c for c in consultation.categories}
    ideas = [
        (
            "Кара-Булакта компьютер классы",
            "Мектептеги эски компьютерлерди алмаштырып, жаштар үчүн кечки курстарды ачуу.",
            280_000,
            "schools",
            "Кара-Булак",
        ),
        (
            "Футбольное поле в Тегизчиле",
            "Выровнять и огородить поле, поставить ворота.",
            240_000,
            "sport_culture",
            "Тегизчил",
        ),
        (
            "Кыздар үчүн тигүү устаканасы",
            "Жаш кыздар үчүн тигүү машиналары жана машыктыруучу.",
            150_000,
            "youth",
            "Ак-Суу",
        ),
        (
            "Жаштар борборуна интернет",
            "Айылдык жаштар борборуна туруктуу интернет жана Wi-Fi.",
            90_000,
            "youth",
            "Жаңы-Жол",
        ),
    ]
    author = voters[0]
    proposals = [
        submit_proposal(
            author,
            consultation,
            ProposalData(
                title,
                text,
                cost,
                categories[key].id,
                villages[village].id,
                [Beneficiary.YOUTH] + ([Beneficiary.WOMEN] if "кыз" in title.lower() else []),
            ),
        )
        for title, text, cost, key, village in ideas
    ]
    advance_phase(officer, consultation, Phase.COLLECTING)
    for proposal in proposals:
        accept(officer, proposal, None)
    advance_phase(officer, consultation, Phase.REVIEW)
    for voter, chosen in zip(
        voters, ([proposals[0], proposals[2]], [proposals[1], proposals[3]]), strict=False
    ):
        ballot = Submission(
            SentChoices(ticked=[str(p.id) for p in chosen]), details_from_profile(voter), code=""
        )
        cast_ballot(consultation.id, ballot, voter, client="demo")
    generate_codes(officer, consultation, 16, "Демо")


def _finished_consultation(
    officer: User, municipality: Municipality, villages: dict[str, Village], author: User
) -> None:
    """A consultation of last spring, published, whose funded projects are being built: the
    "What became of it" pages, the execution report and the photos have something to show."""
    today = utcnow().date()
    consultation = create_consultation(
        officer,
        municipality,
        ConsultationData(
            titles={
                "ky": "2026-жылдын бюджети: мектеп, жарык жана аялдар үчүн цех",
                "ru": "Бюджет 2026 года: школа, свет и цех для женщин",
                "en": "Budget 2026: a school, street lights and a workshop for women",
            },
            descriptions={
                "ky": "Тургундар 1\u00a0500\u00a0000 сомду кантип жумшоону чечишти. "
                "Долбоорлордун ишке ашырылышын ушул жерден көрүңүз.",
                "ru": "Жители решили, как потратить 1\u00a0500\u00a0000 сом. "
                "Здесь видно, как реализуются проекты.",
                "en": "Residents decided how to spend 1,500,000\u00a0som. "
                "See here how the projects are carried out.",
            },
            budget=1_500_000,
            category_keys=["schools", "lighting", "women", "roads"],
            custom_categories=[],
            village_ids=[v.id for v in municipality.villages],
            proposals_from=today - timedelta(days=200),
            proposals_until=today - timedelta(days=180),
            review_until=today - timedelta(days=170),
            voting_from=today - timedelta(days=165),
            voting_until=today - timedelta(days=150),
            results_on=today - timedelta(days=145),
        ),
    )
    save_settings(
        officer,
        consultation,
        VotingSettings(
            BallotKind.APPROVAL,
            2,
            None,
            allow_accounts=False,
            allow_codes=False,
            allow_paper=True,
            electorate=Electorate.ROLL,
        ),
    )
    advance_phase(officer, consultation, Phase.DRAFT)
    categories = {c.key: c for c in consultation.categories}
    ideas = [
        (
            "Кара-Булак мектебинин чатырын оңдоо",
            "Мектептин чатыры агып, жамгырда класстарга суу кирет.",
            600_000,
            "schools",
            "Кара-Булак",
            [Beneficiary.CHILDREN, Beneficiary.YOUTH],
            "ky",
        ),
        (
            "Уличное освещение в Тегизчиле",
            "Поставить 20 фонарей на дороге к школе и медпункту.",
            400_000,
            "lighting",
            "Тегизчил",
            [Beneficiary.WOMEN, Beneficiary.ELDERLY],
            "ru",
        ),
        (
            "Ак-Сууда аялдар үчүн тигүү цехи",
            "Беш тигүү машинасы жана бөлмөнү оңдоо: аялдар үйдөн алыс кетпей иштей алышат.",
            300_000,
            "women",
            "Ак-Суу",
            [Beneficiary.WOMEN, Beneficiary.DISABILITIES],
            "ky",
        ),
        (
            "Жаңы-Жолдогу көпүрө",
            "Суу алып кеткен көпүрөнүн ордуна жаңы бетон көпүрө.",
            900_000,
            "roads",
            "Жаңы-Жол",
            [Beneficiary.EVERYONE],
            "ky",
        ),
    ]
    proposals = [
        submit_proposal(
            author,
            consultation,
            ProposalData(title, text, cost, categories[key].id, villages[village].id, groups, lang),
        )
        for title, text, cost, key, village, groups, lang in ideas
    ]
    advance_phase(officer, consultation, Phase.COLLECTING)
    for proposal in proposals:
        accept(officer, proposal, None)
    advance_phase(officer, consultation, Phase.REVIEW)
    roof, lights, sewing, bridge = proposals
    # Paper ballots from the village meetings (paper leaves no mark on the roll).
    meeting = villages["Кара-Булак"].id
    held_on = today - timedelta(days=155)
    for chosen in [(roof, lights)] * 9 + [(roof, bridge)] * 4 + [(sewing, lights)] * 6:
        add_paper_ballot(
            officer,
            consultation,
            meeting,
            held_on,
            {p.id: 1 for p in chosen},
            VoterDetails(),
        )
    advance_phase(officer, consultation, Phase.VOTING)
    advance_phase(officer, consultation, Phase.CLOSED)
    _implementation(officer, roof, lights, sewing, today)


def _implementation(
    officer: User, roof: Proposal, lights: Proposal, sewing: Proposal, today: date
) -> None:
    """What became of the funded projects: one completed, one under way, one in procurement,
    with updates in Kyrgyz, Russian and English and photos drawn here (no binary file kept)."""
    save_implementation(
        officer,
        roof,
        ImplementationData(
            ImplementationStatus.COMPLETED,
            planned_cost=600_000,
            actual_cost=585_000,
            community_money=30_000,
            community_labour="Ата-энелер эски чатырды алып салышты жана таштандыны ташышты (ашар, "
            "3 күн, 25 киши).",
            contractor="«Ала-Тоо Курулуш» ЖЧК",
            started_on=today - timedelta(days=110),
            finished_on=today - timedelta(days=40),
            changes="Шифердин ордуна профнастил коюлду: бир аз арзан жана узакка чыдайт.",
        ),
    )
    post_update(
        officer,
        roof,
        today - timedelta(days=100),
        "Эски чатыр алынды, жыгач устундар алмаштырылды.",
        "ky",
        [_demo_photo(officer, "Мектептин чатырында жумушчулар жыгач устундарды коюп жатышат")],
    )
    post_update(
        officer,
        roof,
        today - timedelta(days=40),
        "Крыша готова, приёмка прошла. Дети учатся в сухих классах.",
        "ru",
        [_demo_photo(officer, "Новая зелёная крыша школы в Кара-Булаке", done=True)],
    )
    save_implementation(
        officer,
        lights,
        ImplementationData(
            ImplementationStatus.UNDER_WAY,
            planned_cost=400_000,
            community_labour="Жители вырыли ямы для столбов.",
            contractor="ИП Осмонов",
            started_on=today - timedelta(days=30),
        ),
    )
    post_update(
        officer,
        lights,
        today - timedelta(days=20),
        "Установлено 12 столбов из 20, фонари привезут на следующей неделе.",
        "ru",
        [_demo_photo(officer, "Новые столбы освещения вдоль дороги в Тегизчиле", lamps=True)],
    )
    post_update(
        officer,
        lights,
        today - timedelta(days=5),
        "The first eight lamps are on along the road to the school.",
        "en",
    )
    save_implementation(
        officer,
        sewing,
        ImplementationData(ImplementationStatus.PROCUREMENT, planned_cost=300_000),
    )
    post_update(
        officer,
        sewing,
        today - timedelta(days=10),
        "Тигүү машиналарын сатып алуу боюнча тендер жарыяланды.",
        "ky",
    )


def _demo_photo(officer: User, alt_text: str, done: bool = False, lamps: bool = False) -> Photo:
    """A simple drawing as a JPEG, uploaded as an officer would upload a photo."""
    image = Image.new("RGB", (640, 420), (150, 200, 235))
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 300, 640, 420), fill=(120, 160, 80))  # ground
    if lamps:
        draw.rectangle((0, 330, 640, 360), fill=(110, 110, 110))  # road
        for x in range(40, 640, 120):
            draw.rectangle((x, 150, x + 8, 330), fill=(60, 60, 60))
            draw.ellipse((x - 10, 135, x + 18, 160), fill=(250, 220, 90))
    else:
        draw.rectangle((140, 200, 500, 320), fill=(235, 225, 200))  # the school
        for x in range(170, 480, 70):
            draw.rectangle((x, 230, x + 40, 270), fill=(90, 140, 190))
        roof = (60, 140, 90) if done else (150, 110, 70)
        draw.polygon([(120, 200), (320, 110), (520, 200)], fill=roof)
    out = io.BytesIO()
    image.save(out, "JPEG", quality=80)
    out.seek(0)
    photo = store_upload(FileStorage(out, "demo.jpg", content_type="image/jpeg"), alt_text, officer)
    return photo
