"""The ballot sheet a worker keeps while voting runs (pb.voting.sheets): read once, used only
while the database's ballot revision is the one it was read at, and nothing it holds can be
changed while voting runs."""

import dataclasses

import pytest
from sqlalchemy import event, select

from pb import create_app
from pb.consultations import services as consultation_services
from pb.errors import PermissionDenied, RuleViolation
from pb.extensions import db
from pb.models import Consultation, Phase, Proposal, ProposalStatus, Village
from pb.municipalities import services as municipality_services
from pb.proposals import services as proposal_services
from pb.voting import services as voting_services
from pb.voting import sheets
from tests import conftest, factories


def statements_of(work):
    statements = []
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        result = work()
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)
    return result, statements


def test_a_kept_sheet_is_used_without_reading_the_database(app, world):
    p1, p2, *others = factories.open_voting(world.consultation)
    with app.test_request_context(method="POST"):
        sheet, first = statements_of(lambda: sheets.voting_sheet(world.consultation.id))
        assert len(first) > 1
        again, second = statements_of(lambda: sheets.voting_sheet(world.consultation.id))
        db.session.rollback()
    assert again is sheet
    assert second == []
    assert sheet.costs == {p.id: p.cost for p in (p1, p2, *others)}
    assert sheet.village_ids == {v.id for v in world.consultation.villages}


def test_no_sheet_is_kept_for_a_consultation_whose_voting_does_not_run(app, world):
    factories.open_voting(world.consultation)
    world.consultation.phase = Phase.CLOSED
    db.session.commit()
    with app.test_request_context(method="POST"):
        assert sheets.voting_sheet(world.consultation.id) is None
        assert sheets.voting_sheet(999_999) is None
        assert world.consultation.id not in app.extensions.get("pb.ballot_sheets", {})


def test_a_worker_keeps_a_bounded_number_of_sheets(app, world, monkeypatch):
    monkeypatch.setattr(sheets, "KEEP_AT_MOST", 2)
    consultations = [world.consultation] + [
        factories.make_consultation(world.municipality) for _ in range(2)
    ]
    for consultation in consultations:
        factories.open_voting(consultation, costs=(1000,))
    with app.test_request_context(method="POST"):
        for consultation in consultations:
            assert sheets.voting_sheet(consultation.id) is not None
        kept = app.extensions["pb.ballot_sheets"]
        assert list(kept) == [c.id for c in consultations[1:]]  # the oldest went first


@pytest.fixture
def two_hosts(tmp_path, _database):
    """Two apps on one database: two hosts, each with workers keeping their own sheets."""
    url = conftest.TEST_DATABASE_URL or f"sqlite:///{tmp_path / 'hosts.sqlite'}"
    hosts = [create_app(conftest._config(SQLALCHEMY_DATABASE_URI=url)) for _ in range(2)]
    for host in hosts:
        host.test_client_class = conftest.Client
    with conftest._app_context(hosts[0]):
        yield hosts
    with hosts[1].app_context():
        db.engine.dispose()


def _vote(host, consultation_id, **data):
    response = host.test_client().post(f"/c/{consultation_id}/vote", data=data)
    return response.status_code, response.get_data(as_text=True)


@pytest.mark.parametrize(
    "change",
    ["re-cost a proposal", "withdraw a proposal", "drop a village", "delete a village"],
)
def test_a_change_made_on_another_host_is_seen_before_the_next_vote(two_hosts, change):
    """Whatever changes what a sheet holds, through whatever code, raises the revision: the
    other host's kept sheet is not used again. (The services refuse such changes while voting
    runs: see the test below. This is what holds if one of them ever let one through.)"""
    first, second = two_hosts
    world = factories.build_world()
    expensive, *_, cheap = factories.open_voting(world.consultation)
    services_code = voting_services.generate_codes(world.officer, world.consultation, 2, None)
    code_one, code_two = voting_services.batch_codes(services_code)
    # The second village: no proposal names it, so nothing but the ballot refers to it.
    consultation_id, village_id = world.consultation.id, world.consultation.villages[1].id
    ballot = {"choice": [str(cheap.id)], "village_id": str(village_id)}
    db.session.close()  # the test's own reads must not hold the database while requests run
    assert _vote(first, consultation_id, code=code_one, **ballot)[0] == 302  # first keeps it

    with second.app_context():
        if change == "re-cost a proposal":
            db.session.get(Proposal, cheap.id).approved_cost = 10_000_000
        elif change == "withdraw a proposal":
            db.session.get(Proposal, cheap.id).status = ProposalStatus.WITHDRAWN
        elif change == "drop a village":
            db.session.get(Consultation, consultation_id).villages = []
        else:
            village = db.session.get(Village, village_id)
            village.municipality.villages.remove(village)
        db.session.commit()

    status, page = _vote(first, consultation_id, code=code_two, **ballot)
    db.session.close()
    assert status == 200  # refused, with the reason, by the sheet as it now is
    assert (
        "Choose a village this consultation covers." in page
        or "Some of your choices are not on this ballot." in page
        or "over the budget" in page.lower()
    )


def _without_revision(sheet):
    return dataclasses.replace(sheet, revision=0)


def test_nothing_a_sheet_holds_can_be_changed_while_voting_runs(app, world):
    """Every service that edits the consultation, its proposals, its settings or the
    municipality's villages, tried while voting runs: the sheet read afresh afterwards is the
    same. A new way to change any of these must refuse while voting runs, or this fails."""
    consultation = world.consultation
    proposals = factories.open_voting(consultation)
    submitted = factories.make_proposal(consultation, author=world.resident)
    submitted.status = ProposalStatus.SUBMITTED
    db.session.commit()
    before = _without_revision(sheets.sheet_of(consultation))
    village_names = [v.name for v in world.municipality.villages]
    data = consultation_services.ConsultationData(
        titles={"ky": "Жаңы аталыш", "ru": None, "en": None},
        descriptions={"ky": None, "ru": None, "en": None},
        budget=consultation.budget * 2,
        category_keys=[c.key for c in consultation.categories if c.key],
        custom_categories=[],
        village_ids=[v.id for v in world.municipality.villages][:1],
        proposals_from=consultation.proposals_from,
        proposals_until=consultation.proposals_until,
        review_until=consultation.review_until,
        voting_from=consultation.voting_from,
        voting_until=consultation.voting_until,
        results_on=consultation.results_on,
    )
    settings = voting_services.VotingSettings(
        ballot_kind=consultation.ballot_kind,
        approval_limit=3,
        points_total=None,
        allow_accounts=False,
        allow_codes=True,
        allow_paper=True,
    )
    municipality_data = municipality_services.MunicipalityData(
        slug=world.municipality.slug,
        name_ky=world.municipality.name_ky,
        name_ru=None,
        name_en=None,
        region=None,
        village_names=[*village_names[1:], "Жаңы айыл"],
    )
    attempts = {
        "edit the consultation": lambda: consultation_services.update_consultation(
            world.officer, consultation, data
        ),
        "change the voting settings": lambda: voting_services.save_settings(
            world.officer, consultation, settings
        ),
        "re-cost a proposal": lambda: proposal_services.accept(world.officer, proposals[0], 5),
        "accept a new proposal": lambda: proposal_services.accept(world.officer, submitted, None),
        "reject a proposal": lambda: proposal_services.reject(world.officer, proposals[1], "no"),
        "merge proposals": lambda: proposal_services.merge(
            world.officer, proposals[2], proposals[3]
        ),
        "withdraw a proposal": lambda: proposal_services.withdraw(world.resident, submitted),
        "remove a village": lambda: municipality_services.save_municipality(
            world.admin, municipality_data, world.municipality
        ),
    }
    for name, attempt in attempts.items():
        with app.test_request_context(method="POST"):
            try:
                attempt()
            except (RuleViolation, PermissionDenied):
                db.session.rollback()
        db.session.expire_all()
        assert _without_revision(sheets.sheet_of(consultation)) == before, name


def test_removing_a_village_on_a_running_ballot_is_refused_with_the_reason(admin_client, world):
    factories.open_voting(world.consultation)
    names = [v.name for v in world.municipality.villages]
    response = admin_client.post(
        f"/admin/municipalities/{world.municipality.id}/edit",
        data={"slug": world.municipality.slug, "name_ky": "Ак-Суу", "villages": names[0]},
    )
    # The second village: covered by the consultation, named by no proposal.
    assert "is on the ballot of a vote under way" in response.get_data(as_text=True)
    assert names[1] in db.session.scalars(select(Village.name)).all()


@pytest.mark.skipif(
    not (conftest.TEST_DATABASE_URL or "").startswith("postgresql"),
    reason="PostgreSQL's path: on SQLite a ballot's next try always begins a new transaction",
)
def test_a_sheet_read_again_in_the_same_request_is_the_databases(two_hosts):
    """After a sheet that no longer held, the sheet is read again from the database, not from
    the copy of the consultation this request's session already holds (on PostgreSQL the
    ballot is recorded beside the session, whose transaction stays open)."""
    first, second = two_hosts
    world = factories.build_world()
    *_, cheap = factories.open_voting(world.consultation)
    consultation_id, cheap_id = world.consultation.id, cheap.id
    db.session.close()
    with first.test_request_context(method="POST"):
        # The request holds the consultation already (a page, a check): the session keeps it.
        held = db.session.get(Consultation, consultation_id)
        before = sheets.voting_sheet(consultation_id)
        with second.app_context():
            db.session.get(Proposal, cheap_id).approved_cost = 123_456
            db.session.commit()
        sheets.forget(consultation_id)
        after = sheets.voting_sheet(consultation_id)
        assert held.ballot_revision == after.revision  # the session's copy, read again
        db.session.rollback()
    assert after.revision > before.revision
    assert after.costs[cheap_id] == 123_456
