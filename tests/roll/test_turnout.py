"""Turnout against the voter roll, for officers and the council: per village, gender, age group
and channel, with small groups hidden so nobody can work out whether one person voted; and
who voted erased once the results are final."""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass

import pytest
from sqlalchemy import func, select

from pb.extensions import db
from pb.models import (
    Channel,
    Consultation,
    Electorate,
    Gender,
    Phase,
    RollEntry,
    RollMark,
    Village,
)
from pb.roll.turnout import YOUNGER, Turnout, hide_small_groups, roll_turnout
from pb.voting import voters
from tests import factories

_n = itertools.count(1)


def people(
    village: Village,
    count: int,
    *,
    gender: Gender,
    born: int,
    voted: list[Channel] | None = None,
    consultation: Consultation | None = None,
) -> list[RollEntry]:
    """``count`` people on the roll; the first of them marked as voting by ``voted``."""
    entries = []
    for _ in range(count):
        n = next(_n)
        entries.append(
            RollEntry(
                municipality_id=village.municipality_id,
                village_id=village.id,
                household=str(n),
                full_name=f"Person {n}",
                name_key=f"person {n}",
                birth_year=born,
                gender=gender,
            )
        )
    db.session.add_all(entries)
    db.session.flush()
    for entry, channel in zip(entries, voted or [], strict=False):
        assert consultation is not None
        db.session.add(
            RollMark(
                consultation_id=consultation.id,
                entry_digest=voters.entry_mark(consultation.id, entry.id),
                channel=channel,
            )
        )
    db.session.commit()
    return entries


@dataclass
class Roll:
    consultation: Consultation
    ak_suu: Village
    jany_jol: Village
    kara_bulak: Village


def small_roll(world: factories.World) -> Roll:
    """Three villages, voting closing in 2026:

    - Ак-Суу: 10 women born 1990 (4 voted online, 2 on paper), 10 men born 2000 (5 with codes);
    - Жаңы-Жол: 8 men born 1970, none voted (one of them in another consultation);
    - Кара-Булак: 1 woman born 1950 who voted online, 6 men born 1985 and a boy born 2015
      who did not;
    - and a village the consultation does not cover, whose people do not count.
    """
    consultation = world.consultation
    consultation.electorate = Electorate.ROLL
    municipality = world.municipality
    jany_jol = Village(name="Жаңы-Жол")
    outside = Village(name="Тогуз")
    municipality.villages.extend([jany_jol, outside])
    db.session.flush()
    consultation.villages = [*consultation.villages, jany_jol]
    db.session.commit()
    factories.open_voting(consultation, allow_paper=True, allow_accounts=True)
    ak_suu, kara_bulak = (v for v in municipality.villages if v.name in ("Ак-Суу", "Кара-Булак"))
    c = consultation
    online, code, paper = Channel.ONLINE, Channel.CODE, Channel.PAPER
    people(
        ak_suu,
        10,
        gender=Gender.FEMALE,
        born=1990,
        voted=[online] * 4 + [paper] * 2,
        consultation=c,
    )
    people(ak_suu, 10, gender=Gender.MALE, born=2000, voted=[code] * 5, consultation=c)
    other = factories.make_consultation(municipality, phase=Phase.VOTING)
    people(jany_jol, 8, gender=Gender.MALE, born=1970, voted=[online], consultation=other)
    people(kara_bulak, 1, gender=Gender.FEMALE, born=1950, voted=[online], consultation=c)
    people(kara_bulak, 6, gender=Gender.MALE, born=1985)
    people(kara_bulak, 1, gender=Gender.MALE, born=2015)
    people(outside, 5, gender=Gender.FEMALE, born=1980, voted=[online] * 5, consultation=c)
    return Roll(consultation, ak_suu, jany_jol, kara_bulak)


# --- the figures ------------------------------------------------------------------------------


def test_turnout_counts_the_people_on_the_roll_of_the_covered_villages(world):
    roll = small_roll(world)
    figures = roll_turnout(roll.consultation)
    assert figures.total == Turnout(on_roll=36, voted=12)
    assert figures.by["age"]["36-59"] == Turnout(24, 6)
    assert figures.by["age"]["14-17"] == Turnout(0, 0)
    # The small groups hide the rest of their tables here (see the tests below).
    assert figures.by["age"]["18-35"] is None
    assert set(figures.by["village"].values()) == {None}
    assert set(figures.by_channel.values()) == {None}


def test_a_village_where_one_of_few_voted_is_hidden_and_one_more_with_it(world):
    roll = small_roll(world)
    villages = roll_turnout(roll.consultation).by["village"]
    # "1 of 8 voted" in Кара-Булак and "0 of 8" in Жаңы-Жол: hidden. Together they hold one
    # voter, which the total (12) minus Ак-Суу (11) would tell: so Ак-Суу is hidden too.
    assert villages[str(roll.kara_bulak.id)] is None
    assert villages[str(roll.jany_jol.id)] is None
    assert villages[str(roll.ak_suu.id)] is None


def test_a_group_where_fewer_than_5_did_not_vote_is_hidden_too(world):
    roll = small_roll(world)
    genders = roll_turnout(roll.consultation).by["gender"]
    # 7 of 11 women voted: the 4 who did not are as few as those who did would be.
    assert genders["female"] is None
    # The men's figures would give the women's from the total.
    assert genders["male"] is None


def test_the_one_woman_of_60_and_over_who_voted_is_not_shown(world):
    roll = small_roll(world)
    ages = roll_turnout(roll.consultation).by["age"]
    assert ages["60+"] is None and ages[YOUNGER] is None
    # The boy under 14 cannot vote: hidden with him alone, she would be known to have voted.
    assert ages["18-35"] is None
    assert ages["36-59"] == Turnout(24, 6)


def test_small_channels_are_hidden_as_in_the_participation_figures(world):
    roll = small_roll(world)
    channels = roll_turnout(roll.consultation).by_channel
    # Paper (2) is hidden, and beside it the next smallest: online and code, 5 each, go
    # together, since which of two equal groups is hidden must not depend on their order.
    assert channels == {Channel.ONLINE: None, Channel.CODE: None, Channel.PAPER: None}


def test_a_minimum_age_leaves_the_younger_people_out(world):
    roll = small_roll(world)
    roll.consultation.min_age = 18  # born in 2008 or before
    db.session.commit()
    figures = roll_turnout(roll.consultation)
    assert figures.total == Turnout(35, 12)
    assert YOUNGER not in figures.by["age"]


@pytest.mark.parametrize(
    ("groups", "hidden"),
    [
        # 1 of 1 voted tells that she voted; 0 of 1 that she did not.
        ({"a": Turnout(1, 1), "b": Turnout(30, 10), "c": Turnout(40, 20)}, {"a", "b"}),
        ({"a": Turnout(1, 0), "b": Turnout(30, 10), "c": Turnout(40, 20)}, {"a", "b"}),
        # 4 of 5 voted: the one who did not is singled out as surely.
        ({"a": Turnout(5, 4), "b": Turnout(30, 10), "c": Turnout(40, 20)}, {"a", "b"}),
        # Two small groups hide each other; and none out of many, or all, tells of each of
        # them what she did.
        ({"a": Turnout(2, 1), "b": Turnout(3, 3), "c": Turnout(40, 0)}, {"a", "b", "c"}),
        ({"a": Turnout(6, 6), "b": Turnout(30, 10), "c": Turnout(40, 20)}, {"a", "b"}),
        ({"a": Turnout(30, 25), "b": Turnout(30, 10), "c": Turnout(40, 20)}, set()),
        ({"a": Turnout(10, 5), "b": Turnout(0, 0)}, set()),
    ],
)
def test_the_rule_that_hides_small_groups(groups, hidden):
    shown = hide_small_groups(groups)
    assert {key for key, group in shown.items() if group is None} == hidden
    assert all(shown[key] == groups[key] for key in groups.keys() - hidden)


def test_a_whole_roll_where_fewer_than_5_voted_shows_no_figures(world):
    world.consultation.electorate = Electorate.ROLL
    db.session.commit()
    factories.open_voting(world.consultation)
    people(
        world.village,
        30,
        gender=Gender.FEMALE,
        born=1980,
        voted=[Channel.ONLINE] * 2,
        consultation=world.consultation,
    )
    figures = roll_turnout(world.consultation)
    assert figures.total is None
    assert set(figures.by_channel.values()) == {None}


# --- the page ---------------------------------------------------------------------------------


def page_of(client, consultation: Consultation):
    return client.get(f"/c/{consultation.id}/roll-turnout")


@pytest.mark.parametrize("who", ["officer_client", "council_client"])
def test_officers_and_council_see_the_turnout_against_the_roll(request, world, who):
    roll = small_roll(world)
    response = page_of(request.getfixturevalue(who), roll.consultation)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Turnout against the voter roll" in page
    assert re.search(r"36–59</th>\s*<td>24</td><td>6</td><td>25%</td>", page)
    assert re.search(r"Ак-Суу</th>\s*<td colspan=\"3\">too few to show</td>", page)
    assert re.search(r"Кара-Булак</th>\s*<td colspan=\"3\">too few to show</td>", page)
    assert "Received a code slip" in page and "some may not have used it" in page


@pytest.mark.parametrize("who", ["resident_client", "outside_officer_client", "outsider_client"])
def test_residents_and_other_municipalities_do_not_see_it(request, world, who):
    roll = small_roll(world)
    assert page_of(request.getfixturevalue(who), roll.consultation).status_code == 403


def test_visitors_are_asked_to_log_in(client, world):
    roll = small_roll(world)
    response = page_of(client, roll.consultation)
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_there_is_no_turnout_before_voting_starts(officer_client, world):
    world.consultation.electorate = Electorate.ROLL
    world.consultation.phase = Phase.REVIEW
    db.session.commit()
    assert page_of(officer_client, world.consultation).status_code == 404


def test_a_consultation_open_to_anyone_registered_has_no_turnout_against_the_roll(
    officer_client, world
):
    factories.open_voting(world.consultation)  # electorate REGISTERED
    page = page_of(officer_client, world.consultation).get_data(as_text=True)
    assert "there is no turnout against the roll" in page
    assert "On the roll" not in page
    show = officer_client.get(f"/c/{world.consultation.id}").get_data(as_text=True)
    assert "roll-turnout" not in show


def test_the_consultation_page_links_officers_and_council_to_it(
    officer_client, council_client, resident_client, world
):
    roll = small_roll(world)
    url = f"/c/{roll.consultation.id}"
    assert "roll-turnout" in officer_client.get(url).get_data(as_text=True)
    assert "roll-turnout" in council_client.get(url).get_data(as_text=True)
    assert "roll-turnout" not in resident_client.get(url).get_data(as_text=True)


def test_the_page_takes_the_same_queries_however_large_the_roll(
    council_client, world, count_queries
):
    roll = small_roll(world)

    def counted() -> int:
        with count_queries() as counter:
            assert page_of(council_client, roll.consultation).status_code == 200
        return counter.count

    before = counted()
    people(roll.jany_jol, 200, gender=Gender.FEMALE, born=1975)
    people(
        roll.ak_suu,
        100,
        gender=Gender.MALE,
        born=1960,
        voted=[Channel.PAPER] * 60,
        consultation=roll.consultation,
    )
    assert counted() == before


# --- erasing who voted ------------------------------------------------------------------------


def marks() -> int:
    return db.session.scalar(select(func.count()).select_from(RollMark)) or 0


def publish(consultation: Consultation) -> None:
    consultation.phase = Phase.PUBLISHED
    db.session.commit()


def test_who_voted_is_erased_only_once_the_results_are_published(officer_client, world):
    roll = small_roll(world)
    url = f"/c/{roll.consultation.id}/roll-marks/erase"
    before = marks()
    roll.consultation.phase = Phase.CLOSED
    db.session.commit()
    response = officer_client.post(url)
    page = officer_client.get(response.headers["Location"]).get_data(as_text=True)
    assert "only once the results are published" in page
    assert marks() == before and roll.consultation.roll_marks_erased_at is None


def test_officer_erases_who_voted_and_the_figures_are_gone(officer_client, world):
    roll = small_roll(world)
    publish(roll.consultation)
    url = f"/c/{roll.consultation.id}/roll-marks/erase"
    confirm_page = officer_client.get(url).get_data(as_text=True)
    assert (
        "nobody will know who voted" in confirm_page
        and "The ballots and the results stay" in confirm_page
    )
    response = officer_client.post(url)
    assert response.status_code == 302
    db.session.refresh(roll.consultation)
    assert roll.consultation.roll_marks_erased_at is not None
    # Only this consultation's marks: the other consultation's stay.
    assert (
        db.session.scalar(
            select(func.count())
            .select_from(RollMark)
            .where(RollMark.consultation_id == roll.consultation.id)
        )
        == 0
    )
    assert marks() == 1
    page = officer_client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Who voted was erased on" in page
    assert "On the roll" not in page and "too few to show" not in page
    assert roll_turnout(roll.consultation).total is None
    again = officer_client.post(url)
    assert "already erased" in officer_client.get(again.headers["Location"]).get_data(as_text=True)


@pytest.mark.parametrize("who", ["council_client", "resident_client", "outside_officer_client"])
def test_only_the_municipalitys_officers_erase_who_voted(request, world, who):
    roll = small_roll(world)
    publish(roll.consultation)
    before = marks()
    client = request.getfixturevalue(who)
    assert client.post(f"/c/{roll.consultation.id}/roll-marks/erase").status_code == 403
    assert client.get(f"/c/{roll.consultation.id}/roll-marks/erase").status_code == 403
    assert marks() == before


def test_the_turnout_page_offers_officers_to_erase_once_published(
    officer_client, council_client, world
):
    roll = small_roll(world)
    assert "roll-marks/erase" not in page_of(officer_client, roll.consultation).get_data(
        as_text=True
    )
    publish(roll.consultation)
    assert "roll-marks/erase" in page_of(officer_client, roll.consultation).get_data(as_text=True)
    assert "roll-marks/erase" not in page_of(council_client, roll.consultation).get_data(
        as_text=True
    )
