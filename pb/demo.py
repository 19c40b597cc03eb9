"""Demo data for `make run`: two municipalities, one account per role, a consultation under way.

Everything goes through the services, so the demo obeys the same rules as real use.
"""

from __future__ import annotations

from datetime import timedelta

from pb.auth.services import Profile, create_admin, register_resident
from pb.consultations.services import ConsultationData, advance_phase, create_consultation
from pb.extensions import db
from pb.models import (
    BallotKind,
    Beneficiary,
    Gender,
    Membership,
    Municipality,
    Phase,
    Proposal,
    Role,
    User,
    Village,
)
from pb.models.base import utcnow
from pb.municipalities.services import MunicipalityData, save_municipality
from pb.proposals.services import (
    PaperOrigin,
    ProposalData,
    accept,
    enter_paper_proposal,
    reject,
    submit_proposal,
)
from pb.voting.casting import Submission, cast_ballot
from pb.voting.kinds import SentChoices
from pb.voting.services import (
    VotingSettings,
    details_from_profile,
    generate_codes,
    save_settings,
)

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
    accept(officer, lights, None)
    reject(
        officer,
        road,
        "Бул жол райондун жолу: аны район оңдойт. Сунуш райондук администрацияга жөнөтүлдү.",
    )


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
                "ky": "Жаштар үчүн 600 000 сомдук бюджет. Добуш бериңиз!",
                "ru": "Бюджет для молодёжи: 600 000 сом. Голосуйте!",
                "en": "A budget for young people: 600,000 som. Vote!",
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
            BallotKind.BUDGET, None, None, allow_accounts=True, allow_codes=True, allow_paper=True
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
