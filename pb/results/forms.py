from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import IntegerField, RadioField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # new in WTForms 3.3; types-WTForms is for 3.2
from wtforms.validators import Optional

from pb.forms import DayField, Form, add_error, length, number_range, required, strip
from pb.models import Decision
from pb.results.services import (
    COMMISSION_LINE_MAX,
    COMMISSION_MAX_MEMBERS,
    PROTOCOL_NUMBER_MAX,
    SESSION_MAX,
    VOTES_MAX,
)

DECISIONS = {
    Decision.APPROVED: _l("Approved"),
    Decision.RETURNED: _l("Returned for revision"),
}


class DecisionForm(Form):
    decision = RadioField(
        _l("The council's decision"),
        choices=[SelectChoice(d.value, label) for d, label in DECISIONS.items()],
        validators=[required()],
    )
    protocol_number = StringField(
        _l("Number of the protocol"),
        validators=[required(), length(max=PROTOCOL_NUMBER_MAX)],
        filters=[strip],
        description=_l("As the council's secretary registers it, for example 7 or 12/2026."),
    )
    session = StringField(
        _l("Session of the council"),
        validators=[required(), length(max=SESSION_MAX)],
        filters=[strip],
        description=_l("Its number or name, for example: XII session."),
    )
    decided_on = DayField(_l("Date of the session"), validators=[required()])
    votes_for = IntegerField(
        _l("Votes for"),
        validators=[required(), number_range(0, VOTES_MAX)],
        render_kw={"inputmode": "numeric"},
    )
    votes_against = IntegerField(
        _l("Votes against"),
        validators=[required(), number_range(0, VOTES_MAX)],
        render_kw={"inputmode": "numeric"},
    )
    votes_abstained = IntegerField(
        _l("Abstained"),
        validators=[required(), number_range(0, VOTES_MAX)],
        render_kw={"inputmode": "numeric"},
    )
    deputies_present = IntegerField(
        _l("Deputies present (optional)"),
        validators=[Optional(), number_range(1, VOTES_MAX)],
        render_kw={"inputmode": "numeric"},
    )
    commission = TextAreaField(
        _l("Counting commission (optional)"),
        validators=[Optional(), length(max=COMMISSION_MAX_MEMBERS * (COMMISSION_LINE_MAX + 2))],
        filters=[strip],
        description=_l("One member a line: full name and position."),
        render_kw={"rows": 4},
    )
    reason = TextAreaField(
        _l("Reason"),
        validators=[Optional(), length(max=5000)],
        filters=[strip],
        description=_l("Required when the results are returned."),
        render_kw={"rows": 4},
    )

    def validate(self, extra_validators: Mapping[str, Sequence[Any]] | None = None) -> bool:
        ok = super().validate(extra_validators)
        if self.decision.data == Decision.RETURNED.value and not self.reason.data:
            add_error(self.reason, _l("Write why the council returns the results."))
            ok = False
        return ok

    def commission_members(self) -> list[str]:
        return (self.commission.data or "").splitlines()


class ImportForm(Form):
    file = FileField(
        _l("A pabulib .pb file"),
        validators=[
            FileRequired(message=_l("Choose a file.")),
            FileAllowed(["pb"], message=_l("Choose a .pb file.")),
        ],
    )
    village_id = SelectField(
        _l("Village for the imported proposals"), coerce=int, validators=[required()]
    )
