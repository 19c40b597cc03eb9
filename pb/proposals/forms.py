from __future__ import annotations

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l
from wtforms import IntegerField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # new in WTForms 3.3; types-WTForms is for 3.2
from wtforms.validators import NumberRange, Optional, ValidationError

from pb.auth.forms import language_choices
from pb.consultations.forms import CheckboxListField
from pb.consultations.services import MAX_BUDGET
from pb.forms import DayField, Form, empty_to_none, id_or_none, length, required, strip
from pb.labels import BENEFICIARIES


def _cost_field(label: LazyString, optional: bool = False) -> IntegerField:
    return IntegerField(
        label,
        validators=[
            Optional() if optional else required(),
            NumberRange(
                min=1,
                max=MAX_BUDGET,
                message=_l("The cost must be more than 0 som and at most the budget."),
            ),
        ],
        render_kw={"inputmode": "numeric"},
    )


class ProposalForm(Form):
    title = StringField(
        _l("Title"),
        validators=[required(), length(max=150, min=5)],
        filters=[strip],
        description=_l("In a few words: what should be done, and where."),
    )
    description = TextAreaField(
        _l("Description"),
        validators=[required(), length(max=5000, min=20)],
        filters=[strip],
        description=_l("What is the problem, what should be done, and who will benefit?"),
        render_kw={"rows": 6},
    )
    estimated_cost = _cost_field(_l("Estimated cost, in som"))
    category_id = SelectField(_l("Category"), coerce=id_or_none, validators=[required()])
    village_id = SelectField(_l("Village"), coerce=id_or_none, validators=[required()])
    language = SelectField(
        _l("Language of your text"),
        choices=language_choices,
        validators=[required()],
        description=_l("So that phones and computers that read text aloud say it correctly."),
    )
    beneficiaries = CheckboxListField(
        _l("Whom does it mainly serve?"),
        choices=[SelectChoice(b.value, label) for b, label in BENEFICIARIES.items()],
        description=_l("Choose one or more."),
    )

    def validate_beneficiaries(self, field: CheckboxListField) -> None:
        if not field.data:
            raise ValidationError(_l("Choose whom the proposal mainly serves."))


class PaperProposalForm(ProposalForm):
    meeting_village_id = SelectField(
        _l("Village where the meeting was held"), coerce=id_or_none, validators=[required()]
    )
    meeting_date = DayField(_l("Date of the meeting"), validators=[required()])
    proposer_name = StringField(
        _l("Name of the proposer (optional)"),
        validators=[Optional(), length(max=100)],
        filters=[empty_to_none],
    )
    proposer_gender = SelectField(
        _l("Gender of the proposer"), validators=[Optional()], filters=[empty_to_none]
    )
    proposer_age_group = SelectField(
        _l("Age group of the proposer"), validators=[Optional()], filters=[empty_to_none]
    )


class AcceptForm(Form):
    approved_cost = _cost_field(_l("Checked cost, in som"), optional=True)


class RejectForm(Form):
    reason = TextAreaField(
        _l("Reason for rejection"),
        validators=[required(), length(max=2000, min=5)],
        filters=[strip],
        description=_l("The author and everyone else will read it."),
        render_kw={"rows": 3},
    )


class MergeForm(Form):
    target_id = SelectField(
        _l("Merge into this proposal"), coerce=id_or_none, validators=[required()]
    )


class FilterForm(Form):
    """The list filters; read from the query string, so no CSRF token is involved."""

    class Meta:
        csrf = False

    category = SelectField(_l("Category"), coerce=id_or_none, validators=[Optional()])
    village = SelectField(_l("Village"), coerce=id_or_none, validators=[Optional()])
    # Stripped: blanks alone pass Optional, and then named no status.
    status = SelectField(_l("Status"), validators=[Optional()], filters=[strip])
    q = StringField(
        _l("Search"),
        validators=[Optional(), length(max=100)],
        filters=[strip],
        render_kw={"type": "search", "maxlength": 100},
    )
