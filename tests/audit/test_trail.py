"""Every action of officers, council members and administrators leaves one audit entry: who,
in which municipality, what, on what; and never a ballot's content, a code, a receipt or a
password."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

import pytest
from sqlalchemy import func, select

from pb.audit import trail
from pb.consultations import services as consultations
from pb.errors import RuleViolation
from pb.extensions import db
from pb.jobs import services as jobs
from pb.models import (
    AuditEntry,
    BallotKind,
    Channel,
    CodeBatch,
    Decision,
    Electorate,
    Gender,
    Job,
    JobState,
    Membership,
    Phase,
    ProposalStatus,
    Role,
    User,
    VotingCode,
)
from pb.municipalities import services as municipalities
from pb.proposals import services as proposals
from pb.results import imports
from pb.results import services as results
from pb.roll import confirmations, entries, marks
from pb.voting import services as voting
from pb.voting.sheets import VoterDetails
from tests import factories

PB_FILE = """META
key;value
description;Past vote
num_projects;2
num_votes;2
budget;100
vote_type;approval
PROJECTS
project_id;cost;name
1;40;First
2;60;Second
VOTES
voter_id;vote
a;1,2
b;2
"""

ROLL_FILE = "\r\n".join(
    [
        "ФИО;Год рождения;Пол;Село;№ хозяйства;Телефон",
        "Асанова Гульнара Бакытовна;1985;ж;Ак-Суу;12;0555 123 456",
        "Токтогулов Бакыт;1960;м;Кара-Булак;7;",
    ]
).encode("cp1251")


@dataclass
class Case:
    """An action set up in ``world``: ``act`` does it and gives back who did it, and the
    secrets (codes, passwords) that must not be in the trail."""

    actor: User
    act: Callable[[], object]
    secrets: tuple[str, ...] = ()
    # The municipality the entry belongs to; None means the world's.
    municipality_id: int | None = None


def consultation_data(world: factories.World, **changes: object) -> consultations.ConsultationData:
    c = world.consultation
    data = consultations.ConsultationData(
        titles={"ky": "Жаңы", "ru": None, "en": "New one"},
        descriptions={"ky": None, "ru": None, "en": None},
        budget=500_000,
        category_keys=["roads"],
        custom_categories=[],
        village_ids=[v.id for v in world.municipality.villages],
        proposals_from=c.proposals_from,
        proposals_until=c.proposals_until,
        review_until=c.review_until,
        voting_from=c.voting_from,
        voting_until=c.voting_until,
        results_on=c.results_on,
    )
    for name, value in changes.items():
        setattr(data, name, value)
    return data


def proposal_data(world: factories.World) -> proposals.ProposalData:
    c = world.consultation
    return proposals.ProposalData(
        title="A well for the school",
        description="Water for the pupils of the village school.",
        estimated_cost=90_000,
        category_id=c.categories[0].id,
        village_id=c.villages[0].id,
        beneficiaries=[proposals.Beneficiary.CHILDREN],
    )


def paper_voting(world: factories.World) -> list:
    return factories.open_voting(world.consultation, allow_paper=True)


def _paper_ballot(world: factories.World):
    p1, *_ = paper_voting(world)
    return p1, voting.add_paper_ballot(
        world.officer,
        world.consultation,
        world.village.id,
        date(2026, 11, 20),
        {p1.id: 1},
        VoterDetails(gender=Gender.FEMALE),
    )


def case_consultation_create(world):
    data = consultation_data(world)
    return "consultation.create", Case(
        world.officer,
        lambda: consultations.create_consultation(world.officer, world.municipality, data),
    )


def case_consultation_update(world):
    data = consultation_data(world, budget=700_000)
    return "consultation.update", Case(
        world.officer,
        lambda: consultations.update_consultation(world.officer, world.consultation, data),
    )


def case_phase_advance(world):
    return "phase.advance", Case(
        world.officer,
        lambda: consultations.advance_phase(world.officer, world.consultation, Phase.COLLECTING),
    )


def case_job_start(world):
    # Asked to close voting of a consultation that is not voting: the job runs (the tests'
    # queue runs it at once) and fails, saving nothing, so its start is the one entry.
    return "job.start", Case(
        world.officer,
        lambda: jobs.start(
            world.officer,
            "close-voting",
            world.municipality.id,
            consultation_id=world.consultation.id,
            params={"expected": "voting"},
        ),
    )


def case_job_retry(world):
    job = Job(
        kind="close-voting",
        municipality_id=world.municipality.id,
        consultation_id=world.consultation.id,
        created_by_id=world.officer.id,
        params={"expected": "voting"},
        state=JobState.FAILED,
    )
    db.session.add(job)
    db.session.commit()
    return "job.retry", Case(world.officer, lambda: jobs.retry(world.officer, job))


def case_phase_step_back(world):
    return "phase.step_back", Case(
        world.officer,
        lambda: consultations.step_back(
            world.officer, world.consultation, Phase.COLLECTING, "Dates were wrong"
        ),
    )


def case_voting_settings(world):
    settings = voting.VotingSettings(
        BallotKind.APPROVAL, 2, None, True, True, True, electorate=Electorate.REGISTERED
    )
    return "voting.settings", Case(
        world.officer,
        lambda: voting.save_settings(world.officer, world.consultation, settings),
    )


def case_ballot_paper_order(world):
    from pb.voting import ordering

    return "ballot.paper_order", Case(
        world.officer,
        lambda: ordering.set_random_order(world.officer, world.consultation, True),
    )


def case_proposal_paper(world):
    data = proposal_data(world)
    origin = proposals.PaperOrigin(world.village.id, date(2026, 11, 5), "Бакыт")
    return "proposal.paper", Case(
        world.officer,
        lambda: proposals.enter_paper_proposal(world.officer, world.consultation, data, origin),
    )


def case_proposal_accept(world):
    proposal = factories.make_proposal(world.consultation)
    return "proposal.accept", Case(
        world.officer, lambda: proposals.accept(world.officer, proposal, 90_000)
    )


def case_proposal_reject(world):
    proposal = factories.make_proposal(world.consultation)
    return "proposal.reject", Case(
        world.officer, lambda: proposals.reject(world.officer, proposal, "Not municipal")
    )


def case_proposal_merge(world):
    duplicate = factories.make_proposal(world.consultation)
    target = factories.make_proposal(world.consultation)
    return "proposal.merge", Case(
        world.officer, lambda: proposals.merge(world.officer, duplicate, target)
    )


def case_proposal_withdraw(world):
    proposal = factories.make_proposal(world.consultation, author=world.resident)
    return "proposal.withdraw", Case(
        world.resident, lambda: proposals.withdraw(world.resident, proposal)
    )


def case_codes_generate(world):
    factories.open_voting(world.consultation)
    return "codes.generate", Case(
        world.officer,
        lambda: voting.generate_codes(world.officer, world.consultation, 3, "Ак-Суу"),
    )


def case_codes_void(world):
    factories.open_voting(world.consultation)
    batch = CodeBatch(consultation_id=world.consultation.id, size=0, created_by_id=None)
    db.session.add(batch)
    db.session.commit()
    return "codes.void", Case(world.officer, lambda: voting.void_batch(world.officer, batch))


def case_paper_ballot_add(world):
    p1, *_ = paper_voting(world)
    return "paper_ballot.add", Case(
        world.officer,
        lambda: voting.add_paper_ballot(
            world.officer,
            world.consultation,
            world.village.id,
            date(2026, 11, 20),
            {p1.id: 1},
            VoterDetails(gender=Gender.FEMALE),
        ),
    )


def case_paper_ballot_correct(world):
    p1, ballot = _with_ballot(world)
    return "paper_ballot.correct", Case(
        world.officer,
        lambda: voting.update_paper_ballot(world.officer, ballot, {p1.id: 1}, VoterDetails()),
    )


def case_paper_ballot_delete(world):
    _p1, ballot = _with_ballot(world)
    return "paper_ballot.delete", Case(
        world.officer, lambda: voting.delete_paper_ballot(world.officer, ballot)
    )


def _with_ballot(world):
    # Entered straight into the database, so only the action under test leaves an entry.
    p1, *_ = paper_voting(world)
    meeting = proposals.Meeting(
        consultation_id=world.consultation.id,
        village_id=world.village.id,
        held_on=date(2026, 11, 20),
    )
    db.session.add(meeting)
    db.session.flush()
    ballot = voting.Ballot(
        consultation_id=world.consultation.id, channel=Channel.PAPER, meeting_id=meeting.id
    )
    db.session.add(ballot)
    db.session.commit()
    return p1, ballot


def case_roll_import(world):
    roll_import = entries.read_roll_file(world.officer, world.municipality, "r.csv", ROLL_FILE)
    return "roll.import", Case(
        world.officer, lambda: entries.import_roll(world.officer, roll_import, False)
    )


def _entry_data(world, name="Асанов Асан"):
    return entries.EntryData(name, 1980, Gender.MALE, world.village.id, "5", "0555 111 222")


def case_roll_add(world):
    data = _entry_data(world)
    return "roll.add", Case(
        world.officer, lambda: entries.add_entry(world.officer, world.municipality, data)
    )


def case_roll_correct(world):
    entry = factories.make_roll_entry(world.municipality, full_name="Асанов Асан")
    data = _entry_data(world, "Асанов Асанбек")
    return "roll.correct", Case(
        world.officer, lambda: entries.update_entry(world.officer, entry, data)
    )


def case_roll_remove(world):
    entry = factories.make_roll_entry(world.municipality)
    return "roll.remove", Case(world.officer, lambda: entries.remove_entry(world.officer, entry))


def case_account_confirm(world):
    entry = factories.make_roll_entry(world.municipality)
    return "account.confirm", Case(
        world.officer,
        lambda: confirmations.confirm_account(world.officer, world.resident, entry),
    )


def case_account_unconfirm(world):
    entry = factories.make_roll_entry(world.municipality, user=world.resident)
    return "account.unconfirm", Case(
        world.officer, lambda: confirmations.unconfirm_account(world.officer, entry)
    )


def case_desk_hand_out(world):
    entry = factories.make_roll_entry(world.municipality)
    factories.open_voting(world.consultation, allow_paper=True, electorate=Electorate.ROLL)
    return "desk.hand_out", Case(
        world.officer,
        lambda: marks.hand_out(world.officer, world.consultation, entry.id, Channel.PAPER),
    )


def case_marks_erase(world):
    world.consultation.electorate = Electorate.ROLL
    world.consultation.phase = Phase.PUBLISHED
    db.session.commit()
    return "marks.erase", Case(
        world.officer,
        lambda: confirmations.erase_roll_marks(world.officer, world.consultation),
    )


def case_reset_issue(world):
    issued: list[str] = []

    def act():
        from pb.auth.resets import issue_reset_code

        issued.append(issue_reset_code(world.officer, world.resident).code)

    case = Case(world.officer, act)
    # Filled in once the code is issued; the list is read after ``act``.
    case.secrets = issued  # type: ignore[assignment]
    return "reset.issue", case


def case_results_import(world):
    return "results.import", Case(
        world.officer,
        lambda: imports.import_pb(
            world.officer, world.municipality, [PB_FILE.encode()], world.village.id
        ),
    )


def case_decision_record(world):
    world.consultation.phase = Phase.CLOSED
    db.session.commit()
    return "decision.record", Case(
        world.council,
        lambda: results.record_decision(
            world.council,
            world.consultation,
            Decision.APPROVED,
            date(2026, 12, 1),
            None,
            results.SessionRecord("7", "XII session", 9, 1, 2, 13, ["Асанова Гүлнара"]),
        ),
    )


def case_population_save(world):
    figures = municipalities.Population(adults=1000, women=520, youth=300, year=2026)
    return "population.save", Case(
        world.officer,
        lambda: municipalities.save_population(world.officer, world.municipality, figures),
    )


def case_contacts_save(world):
    return "contacts.save", Case(
        world.officer,
        lambda: confirmations.save_contacts(
            world.officer, world.municipality, "Room 3", "0555 000 111", "9–17"
        ),
    )


def case_municipality_create(world):
    data = municipalities.MunicipalityData("jany", "Жаңы", None, None, None, ["Жаңы-Айыл"])
    case = Case(world.admin, lambda: municipalities.save_municipality(world.admin, data))
    case.municipality_id = -1  # the new one's: checked against the entry's target
    return "municipality.create", case


def case_municipality_update(world):
    data = municipalities.MunicipalityData(
        "ak-suu", "Ак-Суу", None, "Ak-Suu", "Issyk-Kul", ["Ак-Суу", "Кара-Булак", "Тегизчил"]
    )
    return "municipality.update", Case(
        world.admin,
        lambda: municipalities.save_municipality(world.admin, data, world.municipality),
    )


def case_staff_appoint(world):
    return "staff.appoint", Case(
        world.admin,
        lambda: municipalities.appoint(world.admin, world.municipality, "outsider", Role.COUNCIL),
    )


def case_staff_revoke(world):
    membership = db.session.scalars(
        select(Membership).where(
            Membership.user_id == world.officer.id, Membership.role == Role.OFFICER
        )
    ).one()
    return "staff.revoke", Case(world.admin, lambda: municipalities.revoke(world.admin, membership))


def _upload():
    import io

    from werkzeug.datastructures import FileStorage

    from tests.photos.images import jpeg

    return FileStorage(io.BytesIO(jpeg(400, 300)), "bridge.jpg")


def case_proposal_photo_add(world):
    proposal = factories.make_proposal(world.consultation)
    return "proposal.photo_add", Case(
        world.officer, lambda: proposals.add_photo(world.officer, proposal, _upload(), "A bridge")
    )


def case_proposal_photo_remove(world):
    proposal = factories.make_proposal(world.consultation)
    photo = proposals.add_photo(world.officer, proposal, _upload(), "A bridge")
    return "proposal.photo_remove", Case(
        world.officer, lambda: proposals.remove_photo(world.officer, proposal, photo.id)
    )


def _problem_report(world):
    from pb.models import ProblemReport

    funded, _ = factories.funded_and_unfunded(world.consultation)
    row = ProblemReport(
        proposal_id=funded.id, author_id=world.resident.id, text="Broken", language="ky"
    )
    db.session.add(row)
    db.session.commit()
    return row


def case_report_answer(world):
    from pb.reports import services as reports

    row = _problem_report(world)
    return "report.answer", Case(
        world.officer, lambda: reports.answer(world.officer, row, "We will fix it.", "en")
    )


def case_report_hide(world):
    from pb.reports import services as reports

    row = _problem_report(world)
    return "report.hide", Case(
        world.council, lambda: reports.hide(world.council, row, "Names a private person.")
    )


def case_implementation_save(world):
    from pb.implementation import services as implementation
    from pb.models.implementation import ImplementationStatus
    from tests.implementation.helpers import publish_with_funded

    p1, *_ = publish_with_funded(world.consultation)
    data = implementation.ImplementationData(ImplementationStatus.UNDER_WAY, 400_000)
    return "implementation.save", Case(
        world.officer, lambda: implementation.save_implementation(world.officer, p1, data)
    )


def case_implementation_post(world):
    from pb.implementation import services as implementation
    from tests.implementation.helpers import publish_with_funded

    p1, *_ = publish_with_funded(world.consultation)
    return "implementation.post", Case(
        world.officer,
        lambda: implementation.post_update(
            world.officer, p1, date(2026, 5, 4), "Иш башталды", "ky"
        ),
    )


CASES = {
    name.removeprefix("case_"): value
    for name, value in dict(globals()).items()
    if name.startswith("case_")
}


def entries_count() -> int:
    return db.session.scalar(select(func.count()).select_from(AuditEntry)) or 0


def test_every_action_in_the_registry_is_swept():
    from pb.audit.actions import ACTIONS

    assert {key.replace(".", "_") for key in ACTIONS} == set(CASES)


@pytest.mark.parametrize("name", sorted(CASES))
def test_each_staff_action_leaves_exactly_one_entry(app, world, name, caplog):
    action, case = CASES[name](world)
    before = entries_count()
    with caplog.at_level(logging.INFO, logger="pb.audit"), app.test_request_context():
        case.act()
    db.session.expire_all()
    assert entries_count() == before + 1, name
    entry = db.session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc())).first()
    assert entry is not None
    assert entry.action == action
    assert entry.actor_id == case.actor.id
    assert entry.actor_name == case.actor.display_name
    if case.municipality_id == -1:
        assert entry.municipality_id is not None
        assert str(entry.municipality_id) == entry.target_id
    else:
        assert entry.municipality_id == (case.municipality_id or world.municipality.id)
    # No secret anywhere in the entry, nor in the log line.
    stored = json.dumps([entry.before, entry.after, entry.target_id], ensure_ascii=False)
    secrets = [factories.PASSWORD, *case.secrets]
    secrets += list(
        db.session.scalars(select(VotingCode.plain).where(VotingCode.plain.is_not(None)))
    )
    for secret in secrets:
        assert secret not in stored
        assert secret not in caplog.text
    for forbidden in ("choice", "points", "receipt", "password", "digest"):
        assert forbidden not in stored
    assert f"audit #{entry.id} {action}" in caplog.text
    assert trail.verify().ok


def test_a_change_that_fails_leaves_no_entry(app, world):
    proposal = factories.make_proposal(world.consultation, status=ProposalStatus.WITHDRAWN)
    with app.test_request_context():
        with pytest.raises(RuleViolation):
            proposals.accept(world.officer, proposal, None)
        with pytest.raises(RuleViolation):
            municipalities.appoint(world.admin, world.municipality, "officer", Role.OFFICER)
        with pytest.raises(RuleViolation):
            consultations.step_back(world.officer, world.consultation, Phase.COLLECTING, " ")
    assert entries_count() == 0


def test_an_entry_rolls_back_with_its_change(app, world, caplog):
    proposal = factories.make_proposal(world.consultation)
    before = proposal.status
    with caplog.at_level(logging.INFO, logger="pb.audit"):
        trail.record(
            world.officer,
            "proposal.accept",
            municipality_id=world.municipality.id,
            target=("proposal", proposal.id),
        )
        proposal.status = ProposalStatus.ACCEPTED
        db.session.rollback()
        db.session.commit()
    assert entries_count() == 0
    assert db.session.get(type(proposal), proposal.id).status == before
    # Not logged: what was rolled back was not done.
    assert "proposal.accept" not in caplog.text


def test_an_officers_form_leaves_an_entry_through_the_view(app, world, officer_client):
    from tests.voting.test_paper import paper

    p1, *_ = paper_voting(world)
    assert paper(officer_client, world.consultation, [p1]).status_code == 302
    entry = db.session.scalars(select(AuditEntry)).one()
    assert (entry.action, entry.actor_id) == ("paper_ballot.add", world.officer.id)
    assert entry.municipality_id == world.municipality.id


def test_secrets_and_unknown_actions_are_refused(app, world):
    for values in ({"code": "ABCDE"}, {"password": "x"}, {"choices": [1]}, {"receipt": "r"}):
        with pytest.raises(ValueError):
            trail.record(
                world.officer,
                "codes.generate",
                municipality_id=None,
                target=("x", 1),
                after=values,
            )
    with pytest.raises(ValueError):
        trail.record(world.officer, "ballot.peek", municipality_id=None, target=("x", 1))
    db.session.rollback()
    assert entries_count() == 0


def test_paper_ballot_entries_name_the_meeting_and_not_the_choices(app, world):
    p1, ballot = _paper_ballot(world)
    entry = db.session.scalars(select(AuditEntry)).one()
    assert entry.target_id == ballot.id
    assert entry.after == {"meeting": ballot.meeting_id}


def test_roll_entries_say_what_changed_not_the_persons_details(app, world):
    entry = factories.make_roll_entry(world.municipality, full_name="Асанов Асан")
    entries.update_entry(world.officer, entry, _entry_data(world, "Асанов Асанбек"))
    audit = db.session.scalars(select(AuditEntry)).one()
    stored = json.dumps([audit.before, audit.after], ensure_ascii=False)
    assert "Асан" not in stored and "1980" not in stored
    assert set(audit.after["changed"]) == {
        "full_name",
        "birth_year",
        "gender",
        "household",
        "phone",
    }
