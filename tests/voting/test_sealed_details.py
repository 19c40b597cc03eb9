"""Voters' details (gender, age group, village) are never stored in the clear beside their
choices: sealed while voting is open, counted into figures and dropped when it closes."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select, text

from pb.disclosure import cells_to_hide, hide
from pb.extensions import db
from pb.models import Ballot, Channel, ChoiceFigure, Gender, VoterFigure
from pb.results.participation import participation
from pb.voting import details
from pb.voting.sheets import VoterDetails
from tests import factories
from tests.voting.test_codes import generate
from tests.voting.test_secrecy import close

DETAIL_COLUMNS = {"gender", "age_group", "village_id"}


def vote(client, consultation, choices, code="", **fields):
    data = {
        "choice": [str(p.id) for p in choices],
        "gender": "",
        "age_group": "",
        "village_id": "",
        **fields,
    }
    if code:
        data["code"] = code
    response = client.post(f"/c/{consultation.id}/vote", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]


def paper(officer_client, consultation, choices, **fields):
    data = {
        "meeting_village_id": str(consultation.villages[0].id),
        "meeting_date": "2026-11-20",
        "choice": [str(p.id) for p in choices],
        "gender": "",
        "age_group": "",
        "village_id": "",
        **fields,
    }
    response = officer_client.post(f"/c/{consultation.id}/paper-ballots", data=data)
    assert response.status_code == 302


def raw_ballots() -> list[dict[str, object]]:
    """The ballots' rows as the database holds them, every column, read without the models."""
    return [dict(row._mapping) for row in db.session.execute(text("SELECT * FROM ballots"))]


def raw(value: object) -> bytes:
    return bytes(value) if isinstance(value, (bytes, bytearray, memoryview)) else b""


@pytest.fixture
def voted(app, officer_client, resident_client, world):
    """Four ballots, one per way of voting and of giving details, while voting is open."""
    c = world.consultation
    p1, p2, p3, _p4 = factories.open_voting(c)
    first, second = c.villages[0], c.villages[1]
    vote(
        resident_client,
        c,
        [p1, p2],
        gender="female",
        age_group="18-35",
        village_id=str(second.id),
    )
    _, (code_a, code_b) = generate(officer_client, c, size=2)
    vote(app.test_client(), c, [p1], code=code_a)  # nothing given
    vote(
        app.test_client(),
        c,
        [p2, p3],
        code=code_b,
        gender="male",
        age_group="60+",
        village_id=str(first.id),
    )
    paper(officer_client, c, [p1, p3], gender="female", age_group="36-59")
    return c, (p1, p2, p3), (first, second)


def test_while_voting_no_ballot_row_holds_details_in_the_clear(voted):
    consultation, _, (first, second) = voted
    rows = raw_ballots()
    assert len(rows) == 4
    assert not set(rows[0]) & DETAIL_COLUMNS
    sealed = [raw(row["sealed_details"]) for row in rows]
    assert all(sealed)
    # All of one length: the size tells neither which details nor whether any were given.
    assert len({len(s) for s in sealed}) == 1
    for blob in sealed:
        for clear in (b"female", b"male", b"18-35", b"60+", b"36-59", b'"g"', b"null"):
            assert clear not in blob
    # Two sealings of the same details differ (a fresh nonce each time).
    same = VoterDetails(Gender.FEMALE, "18-35", second.id)
    assert details.seal(same, consultation.id) != details.seal(same, consultation.id)
    # Yet they are the voters' details, for whoever holds the vote key.
    read = sorted(
        (d.gender or "", d.age_group or "", d.village_id or 0)
        for d in (details.unseal(blob, consultation.id) for blob in sealed)
    )
    assert read == sorted(
        [
            ("female", "18-35", second.id),
            ("", "", 0),
            ("male", "60+", first.id),
            ("female", "36-59", 0),
        ]
    )


def test_a_changed_ballot_gets_its_new_details_sealed(resident_client, voted):
    consultation, (p1, *_), _ = voted
    before = {row["id"]: raw(row["sealed_details"]) for row in raw_ballots()}
    vote(resident_client, consultation, [p1], gender="male", age_group="14-17")
    after = {row["id"]: raw(row["sealed_details"]) for row in raw_ballots()}
    changed = [bid for bid in after if after[bid] != before[bid]]
    assert len(changed) == 1
    got = details.unseal(after[changed[0]], consultation.id)
    assert (got.gender, got.age_group, got.village_id) == (Gender.MALE, "14-17", None)


def figures(consultation) -> dict[tuple[str, str], int]:
    return {
        (f.dimension, f.value): f.ballots
        for f in db.session.scalars(
            select(VoterFigure).where(VoterFigure.consultation_id == consultation.id)
        )
    }


def choice_figures(consultation) -> dict[tuple[int, str, str], tuple[int, int]]:
    return {
        (f.proposal_id, f.dimension, f.value): (f.ballots, f.points)
        for f in db.session.scalars(
            select(ChoiceFigure).where(ChoiceFigure.consultation_id == consultation.id)
        )
    }


def test_after_close_ballots_hold_no_details_and_the_counts_are_what_voters_said(
    officer_client, voted
):
    consultation, (p1, p2, p3), (first, second) = voted
    close(officer_client, consultation)
    rows = raw_ballots()
    assert len(rows) == 4
    assert all(row["sealed_details"] is None for row in rows)
    assert figures(consultation) == {
        ("gender", "female"): 2,
        ("gender", "male"): 1,
        ("gender", ""): 1,
        ("age", "18-35"): 1,
        ("age", "60+"): 1,
        ("age", "36-59"): 1,
        ("age", ""): 1,
        ("village", str(first.id)): 1,
        ("village", str(second.id)): 1,
        ("village", ""): 2,
        ("channel", "online"): 1,
        ("channel", "code"): 2,
        ("channel", "paper"): 1,
    }
    per_proposal = choice_figures(consultation)
    # Only gender and age per proposal: never the village, never two details in one row.
    assert {dimension for _pid, dimension, _value in per_proposal} == {"gender", "age"}
    assert per_proposal[(p1.id, "gender", "female")] == (2, 2)
    assert per_proposal[(p1.id, "gender", "")] == (1, 1)
    assert (p1.id, "gender", "male") not in per_proposal
    assert per_proposal[(p2.id, "age", "18-35")] == (1, 1)
    assert per_proposal[(p2.id, "age", "60+")] == (1, 1)
    assert per_proposal[(p3.id, "gender", "male")] == (1, 1)
    assert per_proposal[(p3.id, "age", "36-59")] == (1, 1)
    # Each proposal's rows add up to the ballots that chose it, once per detail.
    for pid, chosen in ((p1.id, 3), (p2.id, 2), (p3.id, 2)):
        for dimension in ("gender", "age"):
            assert (
                sum(
                    n
                    for (p, d, _v), (n, _pts) in per_proposal.items()
                    if (p, d) == (pid, dimension)
                )
                == chosen
            )


def test_the_participation_page_shows_the_same_figures_from_the_counts(app, officer_client, world):
    """Many voters, sealed as votes seal them, closed by the officer: the page's figures are
    what the voters declared, hidden by the one rule."""
    c = world.consultation
    p1, p2, *_ = factories.open_voting(c)
    big, small = c.villages[0], c.villages[1]
    declared = [
        (12, Gender.FEMALE, "18-35", big.id, Channel.ONLINE, [p1]),
        (8, Gender.MALE, "36-59", big.id, Channel.CODE, [p1, p2]),
        (6, None, None, None, Channel.CODE, [p2]),
        (2, Gender.MALE, "60+", small.id, Channel.PAPER, [p2]),
    ]
    for n, gender, age, village, channel, chosen in declared:
        for _ in range(n):
            factories.make_ballot(
                c,
                channel=channel,
                choices=[(p.id, 1) for p in chosen],
                gender=gender,
                age_group=age,
                village_id=village,
            )
    db.session.commit()
    close(officer_client, c)
    shown = participation(c)
    assert shown.voters == 28
    assert shown.voters_by["gender"].counts == hide({"female": 12, "male": 10, "": 6})
    assert shown.voters_by["age"].counts == hide(
        {"14-17": 0, "18-35": 12, "36-59": 8, "60+": 2, "": 6}
    )
    assert shown.voters_by["village"].counts == hide(
        {**{str(v.id): 0 for v in c.villages}, str(big.id): 20, str(small.id): 2, "": 6}
    )
    assert shown.voters_by["channel"].counts == hide({"online": 12, "code": 14, "paper": 2, "": 0})
    page = officer_client.get(f"/c/{c.id}/participation").get_data(as_text=True)
    assert "28 voters" in page
    # Women: 12 of the 22 who said = 55 %.
    assert "55%" in page


def chosen_by_rows(page: str) -> dict[str, list[str]]:
    table = page.split('id="chosen-by-caption', 1)[1].split("</table>", 1)[0]
    return {
        title: re.findall(r"<td[^>]*>([^<]+)</td>", cells)
        for title, cells in re.findall(r'<th scope="row"[^>]*>([^<]+)</th>(.*?)</tr>', table, re.S)
    }


def test_what_women_and_youth_voted_for_is_shown_per_proposal_and_small_groups_hidden(
    officer_client, world
):
    c = world.consultation
    p1, p2, p3, p4 = factories.open_voting(c)
    declared = [
        (12, Gender.FEMALE, "18-35", [p1]),
        (6, Gender.MALE, "36-59", [p1, p2]),
        (2, Gender.FEMALE, "60+", [p2]),
        (5, Gender.MALE, "18-35", [p3]),
        (5, Gender.FEMALE, "36-59", [p3]),
    ]
    for n, gender, age, chosen in declared:
        for _ in range(n):
            factories.make_ballot(
                c, choices=[(p.id, 1) for p in chosen], gender=gender, age_group=age
            )
    db.session.commit()
    close(officer_client, c)
    rows = {row.proposal_id: row for row in participation(c).chosen_by}
    assert (rows[p1.id].ballots, rows[p1.id].women, rows[p1.id].young) == (18, 12, 12)
    # Two women chose p2 beside six men: too few to show, and so the men too (the total is
    # known), and the young (none) are 0 whatever is hidden.
    assert (rows[p2.id].ballots, rows[p2.id].women, rows[p2.id].young) == (8, None, 0)
    # p3's five women are hidden too: p2's two would be the women who voted less the others.
    assert (rows[p3.id].ballots, rows[p3.id].women, rows[p3.id].young) == (10, None, 5)
    assert (rows[p4.id].ballots, rows[p4.id].women, rows[p4.id].young) == (0, 0, 0)
    # The order: most chosen first.
    assert [row.proposal_id for row in participation(c).chosen_by] == [p1.id, p3.id, p2.id, p4.id]
    for url in (f"/c/{c.id}/participation", f"/c/{c.id}/protocol"):
        page = officer_client.get(url).get_data(as_text=True)
        assert "What women and young people voted for" in page
        shown = chosen_by_rows(page)
        assert shown[p1.title] == ["18", "12", "12"]
        assert shown[p2.title] == ["8", "too few to show", "0"]
        assert shown[p3.title] == ["10", "too few to show", "5"]


def test_a_hidden_per_proposal_figure_cannot_be_worked_out_from_the_voters_totals(
    officer_client, world
):
    """Where each ballot chooses one proposal, the proposals' women add up to the women who
    voted (shown): one hidden cell alone would be that total less the shown ones."""
    c = world.consultation
    p1, p2, p3, p4 = factories.open_voting(c)
    declared = [
        (p1, Gender.FEMALE, "36-59", 2),
        (p1, Gender.MALE, "36-59", 10),
        (p2, Gender.FEMALE, "18-35", 12),
        (p2, Gender.MALE, "36-59", 8),
        (p3, Gender.FEMALE, "36-59", 9),
        (p3, Gender.MALE, "18-35", 6),
        (p4, Gender.FEMALE, "60+", 7),
    ]
    for proposal, gender, age, n in declared:
        for _ in range(n):
            factories.make_ballot(c, choices=[(proposal.id, 1)], gender=gender, age_group=age)
    db.session.commit()
    close(officer_client, c)
    shown = participation(c)
    women_who_voted = shown.voters_by["gender"].counts["female"]
    assert women_who_voted == 30
    cells = {row.proposal_id: row.women for row in shown.chosen_by}
    hidden = [pid for pid, n in cells.items() if n is None]
    assert p1.id in hidden
    # Not one hidden cell alone, and those hidden hold enough people together.
    assert len(hidden) >= 2
    assert women_who_voted - sum(n for n in cells.values() if n is not None) >= 5


def test_a_small_proposal_shows_nothing_of_its_choosers_but_their_number(officer_client, world):
    c = world.consultation
    p1, p2, *_ = factories.open_voting(c)
    for _ in range(20):
        factories.make_ballot(c, choices=[(p1.id, 1)], gender=Gender.FEMALE, age_group="18-35")
    for gender in (Gender.FEMALE, Gender.MALE, Gender.MALE):
        factories.make_ballot(c, choices=[(p2.id, 1)], gender=gender, age_group="60+")
    db.session.commit()
    close(officer_client, c)
    row = next(r for r in participation(c).chosen_by if r.proposal_id == p2.id)
    assert (row.ballots, row.women, row.young) == (3, None, None)


def test_without_details_given_the_per_proposal_table_is_left_out(officer_client, world):
    c = world.consultation
    p1, *_ = factories.open_voting(c)
    for _ in range(6):
        factories.make_ballot(c, choices=[(p1.id, 1)])
    db.session.commit()
    close(officer_client, c)
    assert participation(c).chosen_by == []
    page = officer_client.get(f"/c/{c.id}/participation").get_data(as_text=True)
    assert "What women and young people voted for" not in page


def test_the_officer_sees_the_paper_ballots_details_when_correcting_it(officer_client, world):
    c = world.consultation
    p1, *_ = factories.open_voting(c)
    village = c.villages[1]
    paper(officer_client, c, [p1], gender="female", age_group="60+", village_id=str(village.id))
    (ballot,) = db.session.scalars(select(Ballot)).all()
    page = officer_client.get(f"/c/{c.id}/paper-ballots/{ballot.id}").get_data(as_text=True)

    def selected(name: str) -> list[str]:
        select_html = re.search(rf'<select[^>]*name="{name}".*?</select>', page, re.S).group(0)
        return re.findall(r'<option selected value="([^"]*)"', select_html)

    assert selected("gender") == ["female"]
    assert selected("age_group") == ["60+"]
    assert selected("village_id") == [str(village.id)]
    # Corrected: the new details are sealed in place of the old.
    response = officer_client.post(
        f"/c/{c.id}/paper-ballots/{ballot.id}",
        data={
            "action": "save",
            "choice": [str(p1.id)],
            "gender": "male",
            "age_group": "",
            "village_id": "",
        },
    )
    assert response.status_code == 302
    db.session.refresh(ballot)
    got = factories.details_of(ballot)
    assert (got.gender, got.age_group, got.village_id) == (Gender.MALE, None, None)


def test_details_sealed_under_an_older_vote_key_are_counted_at_close(app, officer_client, world):
    c = world.consultation
    p1, *_ = factories.open_voting(c)
    for _ in range(3):
        factories.make_ballot(c, choices=[(p1.id, 1)], gender=Gender.FEMALE, age_group="60+")
    db.session.commit()
    old_key = app.config["VOTE_KEY"]
    app.config["VOTE_KEY"] = "a new vote key, rotated during the vote"
    app.config["VOTE_KEY_FALLBACKS"] = [old_key]
    factories.make_ballot(c, choices=[(p1.id, 1)], gender=Gender.MALE, age_group="18-35")
    db.session.commit()
    close(officer_client, c)
    assert figures(c)[("gender", "female")] == 3
    assert figures(c)[("gender", "male")] == 1
    assert figures(c)[("age", "60+")] == 3


def test_details_no_key_of_the_host_reads_count_as_not_given_and_the_vote_still_closes(
    app, officer_client, world, caplog
):
    c = world.consultation
    p1, *_ = factories.open_voting(c)
    for _ in range(2):
        factories.make_ballot(c, choices=[(p1.id, 1)], gender=Gender.FEMALE)
    db.session.commit()
    # The vote key rotated, and the old one dropped while the vote was open (README: keep it).
    app.config["VOTE_KEY_FALLBACKS"] = []
    app.config["VOTE_KEY"] = "a key that sealed nothing here"
    factories.make_ballot(c, choices=[(p1.id, 1)], gender=Gender.MALE)
    db.session.commit()
    with caplog.at_level("ERROR", logger="pb.voting.details"):
        close(officer_client, c)
    assert figures(c)[("gender", "")] == 2
    assert figures(c)[("gender", "male")] == 1
    assert ("gender", "female") not in figures(c)
    assert all(row["sealed_details"] is None for row in raw_ballots())
    assert "2 ballot(s)" in caplog.text


def test_sealed_details_cannot_be_moved_or_altered(app, world):
    c, other = world.consultation, world.consultation.id + 1000
    sealed = details.seal(VoterDetails(Gender.FEMALE, "18-35", None), c.id)
    assert details.read(sealed, c.id) == VoterDetails(Gender.FEMALE, "18-35", None)
    assert details.read(sealed, other) is None  # another consultation's ballot
    altered = sealed[:-1] + bytes([sealed[-1] ^ 1])
    assert details.read(altered, c.id) is None
    assert details.read(b"", c.id) is None
    assert details.read(sealed[:5], c.id) is None
    assert details.unseal(altered, c.id) == VoterDetails()  # what the officer's page shows
    assert details.read(None, c.id) == VoterDetails()
    # The longest details fit, and are as long as none at all.
    longest = VoterDetails(Gender.FEMALE, "x" * 10, 2**31 - 1)
    assert len(details.seal(longest, c.id)) == len(details.seal(VoterDetails(), c.id))


def test_cells_hidden_by_another_table_are_protected_like_small_ones():
    assert cells_to_hide({"a": 20, "b": 10, "c": 6}) == set()
    assert cells_to_hide({"a": 20, "b": 10, "c": 6}, hidden_already={"b"}) == {"b", "c"}
    assert cells_to_hide({"a": 12, "b": 2, "c": 9, "d": 7}, hidden_already={"b"}) == {"b", "d"}
    # Nothing else to hide it with: the whole column goes.
    assert cells_to_hide({"a": 0, "b": 8}, hidden_already={"b"}) == {"a", "b"}
