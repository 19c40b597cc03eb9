"""The ballot's quick read (``plainly_valid_ballot``) against BallotForm: what the quick read
accepts, the form accepts too, and reads to the same values."""

import itertools
import random

import pytest
from werkzeug.datastructures import MultiDict

from pb.models import Gender
from pb.voting.forms import BallotFields, BallotForm, plainly_valid_ballot
from pb.voting.sheets import VoterDetails

CODES = [
    "",
    " ",
    "ACDEF-GHJKM",
    "  acdef ghjkm  ",
    "A" * 40,
    " " + "A" * 40 + " ",
    "A" * 41,
    "\tX\n",
]
GENDERS = ["", " ", "female", " male ", "x", "FEMALE", "None", "\u00a0female"]
AGE_GROUPS = ["", "  ", "18-35", " 60+ ", "5-9", "anything"]
VILLAGES = [
    "",
    " ",
    "0",
    "7",
    "007",
    " 7",
    "7 ",
    "+7",
    "1_0",
    "-1",
    "abc",
    "\u0667",
    "\uff17",
    "1" * 9,
    "1" * 10,
    "None",
]


def _form_reading(app, data: MultiDict) -> BallotFields | None:
    with app.test_request_context("/", method="POST", data=data):
        form = BallotForm()
        return BallotFields.of(form) if form.validate() else None


def _cases():
    every = [
        MultiDict({"code": c, "gender": g, "age_group": a, "village_id": v})
        for c, g, a, v in itertools.product(CODES[:4], GENDERS, AGE_GROUPS[:3], VILLAGES)
    ]
    picked = random.Random(4).sample(
        list(itertools.product(CODES, GENDERS, AGE_GROUPS, VILLAGES)), 400
    )
    every += [
        MultiDict({"code": c, "gender": g, "age_group": a, "village_id": v})
        for c, g, a, v in picked
    ]
    # Fields left out, and fields sent twice (both read the first).
    every += [MultiDict(), MultiDict({"code": "ABC"}), MultiDict({"village_id": "3"})]
    every += [
        MultiDict([("gender", "male"), ("gender", "x"), ("village_id", "3"), ("village_id", "y")])
    ]
    every += [MultiDict([("gender", "x"), ("gender", "male")])]
    return every


def test_what_the_quick_read_accepts_the_form_accepts_and_reads_alike(app):
    accepted = 0
    for data in _cases():
        quick = plainly_valid_ballot(data)
        if quick is None:
            continue  # the form has the last word
        accepted += 1
        assert _form_reading(app, data) == quick, data
    assert accepted > 100  # the quick read does take the ordinary ballots


def test_an_ordinary_ballot_is_read_without_the_form():
    fields = plainly_valid_ballot(
        MultiDict(
            {"code": " acdef-ghjkm ", "gender": "female", "age_group": "18-35", "village_id": "12"}
        )
    )
    assert fields == BallotFields("acdef-ghjkm", VoterDetails(Gender.FEMALE, "18-35", 12))
    assert plainly_valid_ballot(MultiDict({"code": "X"})) == BallotFields("X", VoterDetails())


@pytest.mark.parametrize(
    "field, value",
    [("code", "A" * 41), ("gender", "x"), ("village_id", "1_0"), ("village_id", " 7")],
)
def test_anything_doubtful_goes_to_the_form(field, value):
    assert plainly_valid_ballot(MultiDict({field: value})) is None


def test_blank_gender_is_not_given(app):
    # Blanks alone once passed the form (Optional) and then failed as a Gender: a 500.
    assert _form_reading(app, MultiDict({"gender": "   "})) == BallotFields("", VoterDetails())
