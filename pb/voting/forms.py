from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, DateField, IntegerField, RadioField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Optional

from pb.auth.forms import GENDER_CHOICES
from pb.forms import Form, empty_to_none, id_or_none, length, number_range, required, strip
from pb.models import BallotKind, Gender
from pb.voting.sheets import VoterDetails

BALLOT_KINDS = {
    BallotKind.APPROVAL: _l("Approval: each voter picks up to a number of proposals"),
    BallotKind.BUDGET: _l("Budget: each voter picks proposals whose total cost fits the budget"),
    BallotKind.POINTS: _l("Points: each voter shares a number of points among proposals"),
}


COUNTING_RULES = {
    "greedy": _l("Standard: most votes first, while the money lasts"),
    "equal-shares": _l("Method of Equal Shares: the budget is shared equally among the voters"),
}


class VotingSettingsForm(Form):
    ballot_kind = RadioField(
        _l("Kind of ballot"),
        choices=[SelectChoice(k.value, label) for k, label in BALLOT_KINDS.items()],
        validators=[required()],
    )
    approval_limit = IntegerField(
        _l("Approval: how many proposals a voter may choose"),
        validators=[Optional(), number_range(1, 1000)],
        render_kw={"inputmode": "numeric"},
    )
    points_total = IntegerField(
        _l("Points: how many points each voter shares"),
        validators=[Optional(), number_range(1, 1000)],
        render_kw={"inputmode": "numeric"},
    )
    counting_rule = RadioField(
        _l("How the votes are counted"),
        choices=[SelectChoice(name, label) for name, label in COUNTING_RULES.items()],
        validators=[required()],
    )
    complete_with_greedy = BooleanField(
        _l("Equal Shares: spend what is left by the standard rule"),
        description=_l(
            "If Equal Shares leaves money unspent, fund further proposals in order of votes while they fit."
        ),
    )
    allow_accounts = BooleanField(_l("Residents vote with their accounts"))
    allow_codes = BooleanField(_l("Voters use single-use codes from printed slips"))
    allow_paper = BooleanField(_l("Officers enter paper ballots from village meetings"))


CODE_MAX_LENGTH = 40  # what the code field takes: a code with its dashes and spaces, and room


class VoterDetailsForm(Form):
    """The optional questions at the foot of every ballot."""

    # Not given (or left out of the request) is "", one of the choices: as None it would be
    # refused by the choice check first and only then let through by Optional(), at the cost of
    # choosing the reader's language on the vote's hot path.
    # Stripped: blanks alone are "not given" (Optional lets them through, and as they were they
    # named no gender).
    gender = SelectField(
        _l("Gender (optional)"),
        choices=GENDER_CHOICES,
        default="",
        validators=[Optional()],
        filters=[strip],
    )
    # The choices of these two depend on the settings and the consultation; the views fill them
    # in to show the form, and the services check a submitted value against the same lists
    # (pb.voting.sheets.check_ballot), so the form need not build them to take a ballot.
    age_group = SelectField(
        _l("Age group (optional)"),
        validators=[Optional()],
        filters=[empty_to_none],
        validate_choice=False,
    )
    village_id = SelectField(
        _l("Village (optional)"), coerce=id_or_none, validators=[Optional()], validate_choice=False
    )


class BallotForm(VoterDetailsForm):
    code = StringField(
        _l("Your voting code"),
        validators=[Optional(), length(max=CODE_MAX_LENGTH)],
        filters=[strip],
        description=_l("As printed on your slip, for example ACDEF-GHJKM."),
        render_kw={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"},
    )


def voter_details(form: VoterDetailsForm) -> VoterDetails:
    """The voter's details as a validated form read them."""
    return VoterDetails(
        gender=Gender(form.gender.data) if form.gender.data else None,
        age_group=form.age_group.data or None,
        village_id=form.village_id.data,
    )


@dataclass(frozen=True)
class BallotFields:
    """A submitted ballot's fields besides its choices, as BallotForm reads them."""

    code: str  # "" if not given
    details: VoterDetails

    @classmethod
    def of(cls, form: BallotForm) -> BallotFields:
        return cls(code=form.code.data or "", details=voter_details(form))


# What the gender field takes ("" is "not given"), and what each stands for.
_GENDERS = {
    choice.value: Gender(choice.value) if choice.value else None for choice in GENDER_CHOICES
}


def _plain_id(text: str) -> bool:
    """Digits alone, no leading zero, small enough for any id: read alike by int() and by
    id_or_none. Spaces, signs, underscores, other scripts' digits go to the form."""
    return text.isascii() and text.isdigit() and text[0] != "0" and len(text) <= 9


def plainly_valid_ballot(formdata: Mapping[str, str]) -> BallotFields | None:
    """The ballot's fields read straight from the request when each is plainly valid; None
    when any needs a closer look, which BallotForm then gives, with its messages.

    On the vote, pb's hot path, building and validating the form was about a tenth of a
    worker's CPU (in process, 0.75-0.84 -> 0.65-0.71 ms a vote). This accepts only what
    BallotForm accepts and reads it to the same values (tests/voting/test_forms.py holds the two
    side by side); anything else, a village that is not plain digits say, goes to the form.
    """
    code = formdata.get("code", "").strip()
    gender = formdata.get("gender", "").strip()
    village = formdata.get("village_id", "")
    if len(code) > CODE_MAX_LENGTH or gender not in _GENDERS:
        return None
    if village and not _plain_id(village):
        return None
    details = VoterDetails(
        gender=_GENDERS[gender],
        age_group=formdata.get("age_group", "").strip() or None,
        village_id=int(village) if village else None,
    )
    return BallotFields(code=code, details=details)


class PaperBallotForm(VoterDetailsForm):
    meeting_village_id = SelectField(
        _l("Village where the meeting was held"), coerce=id_or_none, validators=[required()]
    )
    meeting_date = DateField(
        _l("Date of the meeting"), validators=[required()], render_kw={"type": "date"}
    )


class CodeBatchForm(Form):
    size = IntegerField(
        _l("How many codes"),
        validators=[required(), number_range(1, 5000)],
        render_kw={"inputmode": "numeric"},
    )
    label = StringField(
        _l("Note for yourself (optional)"),
        validators=[Optional(), length(max=100)],
        filters=[empty_to_none],
        description=_l("For example: for the meeting in Kara-Bulak."),
    )


class ReceiptForm(Form):
    class Meta:
        csrf = False

    receipt = StringField(
        _l("Receipt number"),
        validators=[required(), length(max=40)],
        filters=[strip],
        render_kw={"autocomplete": "off", "autocapitalize": "characters"},
    )


class SelectionError(ValueError):
    pass


def parse_selection(
    form: Mapping[str, str] | object, proposal_ids: Iterable[int], uses_points: bool
) -> dict[int, int]:
    """Read the ticked proposals (``choice``) or the points (``points-<id>``) from a posted form.

    Values that are not whole numbers are refused; ids not on the ballot are kept, so that the
    ballot's own check names them.
    """
    getlist = form.getlist
    selection: dict[int, int] = {}
    if uses_points:
        for pid in proposal_ids:
            raw = (form.get(f"points-{pid}") or "").strip()  # type: ignore[attr-defined]
            if not raw:
                continue
            if not raw.isdecimal() or len(raw) > 6:
                raise SelectionError()
            if int(raw) > 0:
                selection[pid] = int(raw)
        return selection
    for raw in getlist("choice"):
        if not raw.isdecimal() or len(raw) > 12:
            raise SelectionError()
        selection[int(raw)] = 1
    return selection
