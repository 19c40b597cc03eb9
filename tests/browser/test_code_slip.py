"""An officer prints a batch of voting codes; a voter without an account opens the link from a
slip's QR code, switches to Kyrgyz and votes with the code; the same code, with its receipt,
later replaces that ballot, and a wrong code is refused.

Elements are found by ids, hrefs, roles and values, never by translated text. Language names
("Кыргызча") are not translated.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import select

from pb.extensions import db
from pb.models import Ballot, Channel, VotingCode
from tests import factories
from tests.browser.conftest import LiveServer, Network, check_page, follow, html_lang

pytestmark = pytest.mark.browser

COSTS = (400_000, 300_000, 250_000, 100_000)
CODE = re.compile(r"^[A-Z0-9]{5}-[A-Z0-9]{5}$")


def _digits(text: str) -> str:
    """Amounts without the locale's group separators (spaces, no-break spaces, commas)."""
    return re.sub(r"[^\d]", "", text)


def _ballots(world: factories.World) -> list[tuple[Channel, list[int]]]:
    return [
        (ballot.channel, sorted(ballot.choices)) for ballot in db.session.scalars(select(Ballot))
    ]


def test_voter_uses_a_code_from_a_printed_slip_in_kyrgyz(
    new_page: Callable[..., Any], live_server: LiveServer, network: Network
) -> None:
    consultation_id = live_server.consultation_id
    ids = live_server.run(
        lambda w: [p.id for p in factories.open_voting(w.consultation, costs=COSTS)]
    )
    cost_of = dict(zip(ids, COSTS, strict=False))

    # --- the officer prints a batch of three slips, in Kyrgyz for Kyrgyz-speaking voters ---
    officer = new_page()
    officer.goto(f"/c/{consultation_id}")
    follow(officer, officer.locator('header a[href*="/login"]'))
    form = officer.locator("main form")
    form.locator("#login").fill("officer")
    form.locator("#password").fill(factories.PASSWORD)
    follow(officer, form.locator("button[type=submit]"))
    assert officer.url.endswith(f"/c/{consultation_id}"), officer.locator("main").inner_text()
    follow(officer, officer.locator("header form.languages").get_by_role("button", name="Кыргызча"))
    assert html_lang(officer) == "ky"
    check_page(officer)

    follow(officer, officer.locator(f'main a[href$="/c/{consultation_id}/codes"]'))
    assert officer.url.endswith(f"/c/{consultation_id}/codes")
    assert officer.locator("main table").count() == 0  # no batch yet
    check_page(officer)
    form = officer.locator("main form:has(#size)")
    form.locator("#size").fill("3")
    follow(officer, form.locator("button[type=submit]"))

    # The slips: a print page of its own, with its own stylesheet and no site header.
    assert re.search(rf"/c/{consultation_id}/codes/\d+/slips$", officer.url), officer.url
    assert html_lang(officer) == "ky"
    assert officer.locator("main [role=status]").count() == 1  # "ready to print", shown here
    slips = officer.locator("main .slip")
    assert slips.count() == 3
    assert officer.locator("main .slip .qr[role=img] svg").count() == 3
    codes = [code.strip() for code in officer.locator("main .slip .code").all_inner_texts()]
    assert len(codes) == 3 and len(set(codes)) == 3, codes
    assert all(CODE.match(code) for code in codes), codes
    check_page(officer)

    # Back to the list of batches: three codes, none used yet.
    follow(officer, officer.locator(f'main a[href$="/c/{consultation_id}/codes"]'))
    assert officer.locator("main .flash").count() == 0  # the message was shown with the slips
    row = officer.locator("main table tbody tr")
    assert row.count() == 1
    assert row.locator("td").nth(1).inner_text().strip() == "3"
    assert row.locator("td").nth(2).inner_text().strip() == "0"
    check_page(officer)
    code = codes[0]

    # --- a voter scans the QR code: the ballot link with the code after "#" ---
    voter = new_page()
    voter.goto(f"/c/{consultation_id}/vote#code={code}")
    assert html_lang(voter) == "en"
    assert voter.locator("main #code").input_value() == code
    check_page(voter)

    # The script took the code out of the address bar; the language switcher brings the
    # voter back to the ballot, code and all.
    assert voter.url.endswith(f"/c/{consultation_id}/vote"), voter.url
    follow(voter, voter.locator("header form.languages").get_by_role("button", name="Кыргызча"))
    assert html_lang(voter) == "ky"
    assert voter.url.endswith(f"/c/{consultation_id}/vote"), voter.url
    assert voter.locator("main #code").input_value() == code
    ballot = voter.locator("main fieldset.ballot")
    tally = ballot.locator(".tally")
    tally.wait_for(state="visible")
    check_page(voter)

    ballot.locator(f"input[name=choice][value='{ids[3]}']").check()
    assert cost_of[ids[3]] == 100_000
    amounts = _digits(tally.inner_text())
    assert "100000" in amounts and "900000" in amounts, tally.inner_text()
    follow(voter, voter.locator("main form.ballot-form button[type=submit]"))
    assert voter.url.endswith(f"/c/{consultation_id}/voted"), voter.locator("main").inner_text()
    assert html_lang(voter) == "ky"
    first_receipt = voter.locator("main .receipt").inner_text().strip()
    assert first_receipt
    check_page(voter)
    # A reload shows the same receipt, still in Kyrgyz: it is kept on this device until close.
    voter.reload()
    assert html_lang(voter) == "ky"
    assert voter.locator("main .receipt").inner_text().strip() == first_receipt
    assert live_server.run(_ballots) == [(Channel.CODE, [ids[3]])]

    # --- later, on another phone set to Kyrgyz, the same code typed by hand changes the vote ---
    again = new_page(locale="ky-KG")
    again.goto(f"/c/{consultation_id}/vote")
    assert html_lang(again) == "ky"
    assert again.locator("main #code").input_value() == ""
    check_page(again)
    again.locator("main #code").fill(code.lower().replace("-", " "))
    again.locator(f"main fieldset.ballot input[name=choice][value='{ids[0]}']").check()
    again.locator(f"main fieldset.ballot input[name=choice][value='{ids[1]}']").check()
    # Changing a code's ballot takes the receipt of the ballot it replaces.
    again.locator("main #earlier_receipt").fill(first_receipt.lower())
    follow(again, again.locator("main form.ballot-form button[type=submit]"))
    assert again.url.endswith(f"/c/{consultation_id}/voted"), again.locator("main").inner_text()
    second_receipt = again.locator("main .receipt").inner_text().strip()
    assert second_receipt and second_receipt != first_receipt
    check_page(again)
    # Replaced, not added: one code, one ballot.
    assert live_server.run(_ballots) == [(Channel.CODE, sorted(ids[:2]))]

    # --- a wrong code is refused and nothing is stored (the link of an older slip, with the
    # code in its query, still fills the field) ---
    wrong = new_page(locale="ky-KG")
    wrong.goto(f"/c/{consultation_id}/vote?code=AAAAA-AAAAA")
    assert wrong.url.endswith(f"/c/{consultation_id}/vote"), wrong.url
    wrong.locator(f"main fieldset.ballot input[name=choice][value='{ids[2]}']").check()
    follow(wrong, wrong.locator("main form.ballot-form button[type=submit]"))
    assert wrong.url.endswith(f"/c/{consultation_id}/vote"), wrong.url
    assert html_lang(wrong) == "ky"
    assert wrong.locator("main .flash-error").count() == 1, wrong.locator("main").inner_text()
    assert wrong.locator("main #code").input_value() == "AAAAA-AAAAA"
    check_page(wrong)
    assert live_server.run(_ballots) == [(Channel.CODE, sorted(ids[:2]))]
    # Only the one code that voted is marked used.
    assert (
        live_server.run(lambda w: sum(1 for c in db.session.scalars(select(VotingCode)) if c.used))
        == 1
    )

    # The officer's list counts the one code used, twice.
    officer.reload()
    assert officer.locator("main table tbody tr td").nth(2).inner_text().strip() == "1"

    network.assert_no_errors()
    network.assert_only_from(live_server.url)
