from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import DateField, RadioField, SelectField, TextAreaField
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # new in WTForms 3.3; types-WTForms is for 3.2
from wtforms.validators import Optional

from pb.forms import Form, add_error, length, required, strip
from pb.models import Decision

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
    decided_on = DateField(
        _l("Date of the decision"), validators=[required()], render_kw={"type": "date"}
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
