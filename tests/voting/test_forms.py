"""The ballot's one reader: BallotForm for its fields, read_selection for its choices."""

import pytest
from werkzeug.datastructures import MultiDict

from pb.errors import RuleViolation
from pb.models import Gender
from pb.voting.forms import BallotForm, sent_choices, voter_details
from pb.voting.kinds import SentChoices, read_selection
from pb.voting.sheets import VoterDetails


def _form_reading(app, data: MultiDict) -> tuple[str, VoterDetails] | None:
    with app.test_request_context("/", method="POST", data=data):
        form = BallotForm()
        return (form.code.data or "", voter_details(form)) if form.validate() else None


def test_an_ordinary_ballot_is_read_to_its_values(app):
    data = {"code": " acdef-ghjkm ", "gender": "female", "age_group": "18-35", "village_id": "12"}
    assert _form_reading(app, MultiDict(data)) == (
        "acdef-ghjkm",
        VoterDetails(Gender.FEMALE, "18-35", 12),
    )
    assert _form_reading(app, MultiDict({"code": "X"})) == ("X", VoterDetails())


@pytest.mark.parametrize(
    "field, value",
    [("code", "A" * 41), ("gender", "x"), ("village_id", "-1"), ("village_id", "abc")],
)
def test_what_is_not_valid_is_refused_by_the_form(app, field, value):
    assert _form_reading(app, MultiDict({field: value})) is None


def test_blank_gender_is_not_given(app):
    # Blanks alone once passed the form (Optional) and then failed as a Gender: a 500.
    assert _form_reading(app, MultiDict({"gender": "   "})) == ("", VoterDetails())


def test_ticked_proposals_and_points_are_read_from_their_fields():
    sent = sent_choices(
        MultiDict([("choice", "3"), ("choice", "5"), ("points-3", " 4 "), ("points-7", "")])
    )
    assert read_selection(sent, uses_points=False) == {3: 1, 5: 1}
    assert read_selection(sent, uses_points=True) == {3: 4}


@pytest.mark.parametrize(
    "sent",
    [
        SentChoices(ticked=["x"]),
        SentChoices(ticked=["-1"]),
        SentChoices(ticked=["\u0667"]),  # an Arabic-Indic seven
        SentChoices(ticked=["1" * 13]),
    ],
)
def test_choices_that_are_not_plain_ids_are_refused(sent):
    with pytest.raises(RuleViolation):
        read_selection(sent, uses_points=False)


@pytest.mark.parametrize(
    "points", [{"3": "x"}, {"3": "-2"}, {"3": "1.5"}, {"3": "1" * 7}, {"x": "2"}]
)
def test_points_that_are_not_whole_numbers_are_refused(points):
    with pytest.raises(RuleViolation):
        read_selection(SentChoices(points=points), uses_points=True)


def test_zero_points_leave_a_proposal_out():
    assert read_selection(SentChoices(points={"3": "0", "4": "2"}), uses_points=True) == {4: 2}
