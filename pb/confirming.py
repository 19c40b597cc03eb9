"""Actions that cannot be undone are confirmed on a page of their own, without JavaScript.

The first POST (the button on the page where the action is offered) shows what the action will
do, in numbers the services compute; only a second POST carrying ``confirm`` does it, and the
service checks everything again then (the phase, the rights), as if the first had not happened.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from flask import render_template
from wtforms import Field, StringField
from wtforms.validators import Optional

from pb.forms import Form, length

#: The value of the ``confirm`` field that the confirmation page sends.
CONFIRMED = "yes"


class ConfirmForm(Form):
    confirm = StringField(validators=[Optional(), length(max=10)])

    @property
    def confirmed(self) -> bool:
        """Whether this POST comes from the confirmation page."""
        return self.confirm.data == CONFIRMED


def confirmation_page(
    *,
    heading: str,
    consequences: Sequence[object],
    action: str,
    confirm_label: str,
    cancel_url: str,
    hidden: Mapping[str, str] | None = None,
    reason: Field | None = None,
    form: Form | None = None,
) -> str:
    """The page that says what an action will do and asks to confirm it."""
    return render_template(
        "confirm.html",
        heading=heading,
        consequences=consequences,
        action=action,
        confirm_label=confirm_label,
        cancel_url=cancel_url,
        hidden=dict(hidden or {}),
        reason=reason,
        form=form,
        confirmed_value=CONFIRMED,
    )
