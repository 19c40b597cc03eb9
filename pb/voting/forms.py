from __future__ import annotations

from flask_babel import lazy_gettext as _l
from werkzeug.datastructures import MultiDict
from wtforms import BooleanField, IntegerField, RadioField, SelectField, StringField
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # new in WTForms 3.3; types-WTForms is for 3.2
from wtforms.validators import Optional

from pb.auth.forms import GENDER_CHOICES
from pb.counting_rules import COUNTING_RULES
from pb.forms import (
    DayField,
    Form,
    empty_to_none,
    id_or_none,
    length,
    number_range,
    required,
    strip,
)
from pb.models import BallotKind, Electorate, Gender
from pb.voting.kinds import SentChoices
from pb.voting.sheets import VoterDetails

BALLOT_KINDS = {
    BallotKind.APPROVAL: _l("Approval: each voter picks up to a number of proposals"),
    BallotKind.BUDGET: _l("Budget: each voter picks proposals whose total cost fits the budget"),
    BallotKind.POINTS: _l("Points: each voter shares a number of points among proposals"),
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
        choices=[SelectChoice(rule.name, rule.label) for rule in COUNTING_RULES.values()],
        validators=[required()],
    )
    complete_with_greedy = BooleanField(
        _l("Equal Shares: spend what is left by the standard rule"),
        description=_l(
            "If Equal Shares leaves money unspent, fund further proposals in order of votes while they fit."
        ),
    )
    electorate = RadioField(
        _l("Who may vote"),
        choices=[
            SelectChoice(Electorate.ROLL.value, _l("Residents on the voter roll, one voice each")),
            SelectChoice(
                Electorate.REGISTERED.value,
                _l("Anyone registered in the municipality (a trial: shown as such)"),
            ),
        ],
        validators=[required()],
    )
    min_age = IntegerField(
        _l("Minimum age"),
        description=_l(
            "Counted from the year of birth: a voter reaches it in the year voting closes."
        ),
        validators=[Optional(), number_range(14, 120)],
        render_kw={"inputmode": "numeric"},
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
    # A code that voted already changes its ballot only with the receipt that ballot was given:
    # whoever else holds the code (a photo of the slip) cannot.
    earlier_receipt = StringField(
        _l("Receipt of your earlier ballot (only to change it)"),
        validators=[Optional(), length(max=CODE_MAX_LENGTH)],
        filters=[strip],
        description=_l(
            "Leave empty the first time you vote with this code. To change your ballot, type "
            "the receipt number you were given, for example ACDE-FGHJ-KMNP."
        ),
        render_kw={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"},
    )


def voter_details(form: VoterDetailsForm) -> VoterDetails:
    """The voter's details as a validated form read them."""
    return VoterDetails(
        gender=Gender(form.gender.data) if form.gender.data else None,
        age_group=form.age_group.data or None,
        village_id=form.village_id.data,
    )


class PaperBallotForm(VoterDetailsForm):
    meeting_village_id = SelectField(
        _l("Village where the meeting was held"), coerce=id_or_none, validators=[required()]
    )
    meeting_date = DayField(_l("Date of the meeting"), validators=[required()])


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
    """Checking a receipt: sent by POST (with CSRF, as every form), so the number is in no URL
    and no log, and a page elsewhere cannot make a visitor's browser use up her tries."""

    receipt = StringField(
        _l("Receipt number"),
        validators=[required(), length(max=40)],
        filters=[strip],
        render_kw={"autocomplete": "off", "autocapitalize": "characters"},
    )


def sent_choices(formdata: MultiDict[str, str]) -> SentChoices:
    """A ballot's choices as the form sent them: ticked boxes named ``choice``, points in
    fields named ``points-<proposal id>``."""
    prefix = "points-"
    return SentChoices(
        ticked=formdata.getlist("choice"),
        points={
            name[len(prefix) :]: value
            for name, value in formdata.items()
            if name.startswith(prefix)
        },
    )
