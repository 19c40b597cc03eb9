"""The ballot sheet a worker keeps while voting runs (pb.voting.sheets)."""

from sqlalchemy import event

from pb.extensions import db
from pb.models import Phase
from pb.voting import sheets
from tests import factories


def test_a_voting_consultations_sheet_is_read_once_and_kept(app, world, monkeypatch):
    p1, p2, *others = factories.open_voting(world.consultation)
    statements = []
    event.listen(db.engine, "before_cursor_execute", lambda *args: statements.append(args[2]))
    with app.test_request_context():
        sheet = sheets.voting_sheet(world.consultation.id)
        read = len(statements)
        assert read >= 1
        assert sheets.voting_sheet(world.consultation.id) is sheet
        assert len(statements) == read
        assert sheet.costs == {p.id: p.cost for p in (p1, p2, *others)}
        # After a while the worker reads it again (it would be the same).
        clock = sheets.time.monotonic()
        monkeypatch.setattr(sheets.time, "monotonic", lambda: clock + sheets.KEEP_SECONDS + 1)
        assert sheets.voting_sheet(world.consultation.id) == sheet
        assert len(statements) > read


def test_no_sheet_is_kept_for_a_consultation_whose_voting_does_not_run(app, world):
    factories.open_voting(world.consultation)
    world.consultation.phase = Phase.CLOSED
    db.session.commit()
    with app.test_request_context():
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
    with app.test_request_context():
        for consultation in consultations:
            assert sheets.voting_sheet(consultation.id) is not None
        kept = app.extensions["pb.ballot_sheets"]
        assert list(kept) == [c.id for c in consultations[1:]]  # the oldest went first
