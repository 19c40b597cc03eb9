import re

import pytest
import segno
from sqlalchemy import func, select

from pb.extensions import db
from pb.models import Ballot, Channel, CodeBatch, VotingCode
from pb.voting import codes
from tests import factories

CODE_RE = re.compile(r"[A-Z0-9]{5}-[A-Z0-9]{5}")


def generate(officer_client, consultation, size=10):
    response = officer_client.post(
        f"/c/{consultation.id}/codes", data={"size": str(size), "label": "Kara-Bulak"}
    )
    assert response.status_code == 302, response.data
    slips = officer_client.get(response.headers["Location"])
    return slips, CODE_RE.findall(slips.get_data(as_text=True))


def vote_with(client, consultation, code, choices, receipt=""):
    return client.post(
        f"/c/{consultation.id}/vote",
        data={
            "code": code,
            "earlier_receipt": receipt,
            "choice": [str(p.id) for p in choices],
            "gender": "",
            "age_group": "",
            "village_id": "",
        },
    )


def receipt_of(client, consultation):
    """The receipt number the client was last given in this consultation."""
    with client.session_transaction() as kept:
        return kept["receipts"][str(consultation.id)]["number"]


def test_officer_generates_codes_and_prints_slips_with_qr(officer_client, world):
    factories.open_voting(world.consultation)
    slips, found = generate(officer_client, world.consultation, size=12)
    html = slips.get_data(as_text=True)
    assert len(set(found)) == 12
    assert html.count("<svg") == 12
    assert "slips.css" in html
    for code in found:
        assert set(code.replace("-", "")) <= set(codes.ALPHABET)
    assert not set("01258BILOSZ") & set("".join(found).replace("-", ""))


def test_qr_code_opens_the_ballot_with_the_code_after_the_fragment(officer_client, world):
    factories.open_voting(world.consultation)
    slips, (code,) = generate(officer_client, world.consultation, size=1)
    # After "#", which browsers never send: the page's script fills the field from it. The
    # link names the language the slips are printed in (the officer's, unless she chose one).
    link = f"http://pb.test/c/{world.consultation.id}/vote?lang=en#code={code}"
    # The same link drawn again must give the very same QR code as the slip's.
    expected = segno.make(link, error="m").svg_inline(scale=3, border=2, omitsize=True)
    assert expected in slips.get_data(as_text=True)


def test_a_code_casts_one_ballot_and_may_change_it(app, officer_client, world):
    p1, p2, *_ = factories.open_voting(world.consultation)
    _, (code, other_code) = generate(officer_client, world.consultation, size=2)
    voter = app.test_client()
    # A slip printed when the QR link had the code in its query: moved to the fragment.
    old_slip = voter.get(f"/c/{world.consultation.id}/vote?code={code.lower()}")
    assert old_slip.status_code == 303
    assert old_slip.headers["Location"].endswith(f"/c/{world.consultation.id}/vote#code={code}")
    page = voter.get(f"/c/{world.consultation.id}/vote").get_data(as_text=True)
    assert 'id="code"' in page and "code_from_link.js" in page
    assert (
        vote_with(voter, world.consultation, code.lower().replace("-", " "), [p1]).status_code
        == 302
    )
    # Changing it takes the receipt of the ballot it replaces (tests/voting/test_keyed_links.py).
    receipt = receipt_of(voter, world.consultation)
    assert vote_with(app.test_client(), world.consultation, code, [p2], receipt).status_code == 302
    ballots = db.session.scalars(select(Ballot)).all()
    assert len(ballots) == 1 and ballots[0].channel == Channel.CODE
    assert list(ballots[0].choices) == [p2.id]
    vote_with(voter, world.consultation, other_code, [p1])
    assert db.session.scalar(select(func.count()).select_from(Ballot)) == 2


def test_wrong_or_voided_codes_are_refused(app, officer_client, world):
    p1, *_ = factories.open_voting(world.consultation)
    _, (code,) = generate(officer_client, world.consultation, size=1)
    voter = app.test_client()
    response = vote_with(voter, world.consultation, "AAAAA-AAAAA", [p1])
    assert b"This code is not valid" in response.data
    assert b"This code is not valid" not in vote_with(voter, world.consultation, "", [p1]).data
    batch = db.session.scalars(select(CodeBatch)).one()
    assert (
        officer_client.post(
            f"/c/{world.consultation.id}/codes/{batch.id}/void", data={"confirm": "yes"}
        ).status_code
        == 302
    )
    assert b"This code is not valid" in vote_with(voter, world.consultation, code, [p1]).data
    assert db.session.scalar(select(func.count()).select_from(Ballot)) == 0


def test_a_code_of_another_consultation_is_refused(app, officer_client, world):
    p1, *_ = factories.open_voting(world.consultation)
    other = factories.make_consultation(world.municipality)
    factories.open_voting(other, costs=(1000,))
    _, (code,) = generate(officer_client, other, size=1)
    assert (
        b"This code is not valid"
        in vote_with(app.test_client(), world.consultation, code, [p1]).data
    )


def test_guessing_codes_is_throttled(app, officer_client, world):
    p1, *_ = factories.open_voting(world.consultation)
    _, (code,) = generate(officer_client, world.consultation, size=1)
    voter = app.test_client()
    for i in range(10):
        assert vote_with(voter, world.consultation, f"WRONG-{i:05d}", [p1]).status_code == 200
    response = vote_with(voter, world.consultation, "WRONG-99999", [p1])
    assert response.status_code == 429
    assert "Too many tries" in response.get_data(as_text=True)
    # Even a right guess is refused now: otherwise guessing would just go on.
    assert vote_with(voter, world.consultation, code, [p1]).status_code == 429
    assert db.session.scalar(select(func.count()).select_from(Ballot)) == 0
    # Another client is not affected.
    other = app.test_client()
    other.environ_base["REMOTE_ADDR"] = "10.9.8.7"
    assert vote_with(other, world.consultation, "WRONG-00000", [p1]).status_code == 200


@pytest.mark.parametrize("size", ["0", "-3", "5001", "many", ""])
def test_bad_batch_sizes_are_refused(officer_client, world, size):
    response = officer_client.post(f"/c/{world.consultation.id}/codes", data={"size": size})
    assert response.status_code == 200
    assert db.session.scalar(select(func.count()).select_from(VotingCode)) == 0


def test_codes_are_for_officers_of_the_municipality(app, world):
    for user in (world.resident, world.council, world.outside_officer):
        client = app.test_client(user=user)
        assert (
            client.post(f"/c/{world.consultation.id}/codes", data={"size": "5"}).status_code == 403
        )
        assert client.get(f"/c/{world.consultation.id}/codes").status_code == 403
    assert db.session.scalar(select(func.count()).select_from(VotingCode)) == 0


def test_slips_of_another_consultation_are_404(officer_client, world):
    other = factories.make_consultation(world.municipality)
    officer_client.post(f"/c/{other.id}/codes", data={"size": "1"})
    batch = db.session.scalars(select(CodeBatch)).one()
    assert (
        officer_client.get(f"/c/{world.consultation.id}/codes/{batch.id}/slips").status_code == 404
    )


def test_a_used_code_leaves_the_slips_page_and_the_database(app, officer_client, world):
    """Whoever holds the printed list, or a photo of the slips page, must not find a code that
    voted; its digest alone still lets its voter change her ballot."""
    p1, p2, *_ = factories.open_voting(world.consultation)
    slips, (used, unused) = generate(officer_client, world.consultation, size=2)
    voter = app.test_client()
    assert vote_with(voter, world.consultation, used, [p1]).status_code == 302
    again = officer_client.get(slips.request.path).get_data(as_text=True)
    assert used not in again and unused in again
    assert again.count("<svg") == 1
    plains = set(db.session.scalars(select(VotingCode.plain).where(VotingCode.plain.is_not(None))))
    assert plains == {unused.replace("-", "")}
    # The voter still changes her ballot with it, and her receipt.
    receipt = receipt_of(voter, world.consultation)
    assert vote_with(voter, world.consultation, used, [p2], receipt).status_code == 302
    (ballot,) = db.session.scalars(select(Ballot)).all()
    assert list(ballot.choices) == [p2.id]
