from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, IntegerField, PasswordField, SelectField, StringField
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # new in WTForms 3.3; types-WTForms is for 3.2
from wtforms.validators import EqualTo, NumberRange, Optional, ValidationError

from pb.auth.passwords import password_problem
from pb.auth.phone import PhoneError, normalise_phone
from pb.forms import Form, add_error, empty_to_none, id_or_none, length, required, strip
from pb.i18n import LANGUAGE_NAMES
from pb.labels import GENDERS

USERNAME = re.compile(r"^[a-z0-9_.\-]{3,30}$")
PASSWORD_MIN = 8


def validate_phone_field(form: Form, field: StringField) -> None:
    if not field.data:
        return
    try:
        field.data = normalise_phone(field.data)
    except PhoneError as error:
        if error.reason == "foreign":
            raise ValidationError(
                _l("Only Kyrgyz phone numbers (+996) can be used. Or choose a user name instead.")
            ) from None
        raise ValidationError(_l("Write the phone number like this: 0555 123 456.")) from None


def validate_username_field(form: Form, field: StringField) -> None:
    if not field.data:
        return
    field.data = field.data.lower()
    if not USERNAME.match(field.data):
        raise ValidationError(_l("Use 3 to 30 Latin letters, digits, dots, dashes or underscores."))
    if field.data.isdigit():
        raise ValidationError(_l("A user name cannot be only digits."))


def refuse_easy_password(field: PasswordField, personal: Sequence[str | None]) -> None:
    """A new password's check beyond its length: not common, not the owner's name or phone."""
    if field.errors or not field.data:
        return  # too short or missing already says enough
    problem = password_problem(field.data, personal)
    if problem is not None:
        raise ValidationError(problem)


def language_choices() -> list[tuple[str, str]]:
    return list(LANGUAGE_NAMES.items())


# A list, not a function: the labels are lazy (each page shows them in its reader's language),
# and WTForms inspects a function's signature each time it checks a submitted choice.
GENDER_CHOICES = [SelectChoice("", _l("Prefer not to say"))] + [
    SelectChoice(g.value, label) for g, label in GENDERS.items()
]


class ProfileFields(Form):
    display_name = StringField(
        _l("Your name"),
        validators=[required(), length(max=100, min=2)],
        filters=[strip],
        description=_l("Shown with your proposals."),
    )
    locale = SelectField(_l("Language"), choices=language_choices, validators=[required()])
    gender = SelectField(
        _l("Gender (optional)"),
        choices=GENDER_CHOICES,
        validators=[Optional()],
        filters=[empty_to_none],
        description=_l("Only used, without your name, to count who takes part."),
    )
    birth_year = IntegerField(
        _l("Year of birth (optional)"),
        validators=[Optional()],
        description=_l("Only used, without your name, to count who takes part."),
    )
    village_id = SelectField(
        _l("Village (optional)"),
        coerce=id_or_none,
        validators=[Optional()],
        validate_choice=False,
    )

    def validate_birth_year(self, field: IntegerField) -> None:
        if field.data is None:
            return
        this_year = date.today().year
        NumberRange(
            min=this_year - 110,
            max=this_year - 10,
            message=_l(
                "Write a year from %(min)d to %(max)d.", min=this_year - 110, max=this_year - 10
            ),
        )(self, field)


class RegisterForm(ProfileFields):
    municipality_id = SelectField(
        _l("Your municipality"),
        coerce=id_or_none,
        validators=[required()],
        validate_choice=False,
    )
    phone = StringField(
        _l("Phone number"),
        validators=[Optional(), validate_phone_field],
        filters=[empty_to_none],
        description=_l("A Kyrgyz number, for example 0555 123 456."),
        render_kw={"inputmode": "tel", "autocomplete": "tel"},
    )
    username = StringField(
        _l("Or a user name"),
        validators=[Optional(), validate_username_field],
        filters=[empty_to_none],
        description=_l("If you have no phone: Latin letters and digits, for example aigul_2001."),
        render_kw={"autocomplete": "username", "autocapitalize": "none"},
    )
    password = PasswordField(
        _l("Password"),
        validators=[required(), length(max=128, min=PASSWORD_MIN)],
        description=_l("At least 8 characters."),
        render_kw={"autocomplete": "new-password"},
    )
    confirm = PasswordField(
        _l("Password again"),
        validators=[required(), EqualTo("password", message=_l("The passwords do not match."))],
        render_kw={"autocomplete": "new-password"},
    )

    def validate_password(self, field: PasswordField) -> None:
        refuse_easy_password(field, [self.display_name.data, self.username.data, self.phone.data])

    def validate(self, extra_validators: Mapping[str, Sequence[Any]] | None = None) -> bool:
        ok = super().validate(extra_validators)
        if not self.phone.data and not self.username.data and not self.phone.errors:
            add_error(self.phone, _l("Give a phone number or a user name."))
            ok = False
        return ok


class LoginForm(Form):
    login = StringField(
        _l("Phone number or user name"),
        validators=[required(), length(max=50)],
        filters=[strip],
        render_kw={"autocomplete": "username", "autocapitalize": "none"},
    )
    password = PasswordField(
        _l("Password"),
        validators=[required(), length(max=128)],
        render_kw={"autocomplete": "current-password"},
    )
    remember = BooleanField(_l("Keep me logged in on this device"))


class NewPasswordFields(Form):
    """A new password, typed twice: changing it, or setting it with a reset code."""

    password = PasswordField(
        _l("New password"),
        validators=[required(), length(max=128, min=PASSWORD_MIN)],
        description=_l("At least 8 characters."),
        render_kw={"autocomplete": "new-password"},
    )
    confirm = PasswordField(
        _l("New password again"),
        validators=[required(), EqualTo("password", message=_l("The passwords do not match."))],
        render_kw={"autocomplete": "new-password"},
    )

    # What identifies the account's owner (her name, user name, phone), as far as the page
    # knows it: the new password must not be one of them.
    personal: Sequence[str | None] = ()

    def validate_password(self, field: PasswordField) -> None:
        refuse_easy_password(field, self.personal)


class PasswordForm(NewPasswordFields):
    current = PasswordField(
        _l("Current password"),
        validators=[required(), length(max=128)],
        render_kw={"autocomplete": "current-password"},
    )


class ProfileForm(ProfileFields):
    pass


class LanguageForm(Form):
    """The language switcher on every page: a small POST form, so it works without JavaScript."""

    locale = SelectField(choices=language_choices, validators=[required()])
    next = StringField(validators=[Optional(), length(max=500)])


# --- a way back into an account (pb.auth.reset_views) ---

CODE_MAX_LENGTH = 40


class ResetPasswordForm(NewPasswordFields):
    login = StringField(
        _l("Phone number or user name"),
        validators=[required(), length(max=50)],
        filters=[strip],
        render_kw={"autocomplete": "username", "autocapitalize": "none"},
    )
    code = StringField(
        _l("The code from the officer"),
        validators=[required(), length(max=CODE_MAX_LENGTH)],
        filters=[strip],
        description=_l("Eight letters and digits, for example ACDE-3467."),
        render_kw={
            "autocomplete": "one-time-code",
            "autocapitalize": "characters",
            "spellcheck": "false",
        },
    )

    def validate_password(self, field: PasswordField) -> None:
        # Only what was typed: the account's name is checked once the code proved who this is
        # (pb.auth.resets), so that a guesser cannot learn it from this message.
        refuse_easy_password(field, [self.login.data])


class FindAccountForm(Form):
    login = StringField(
        _l("Phone number or user name of the person"),
        validators=[required(), length(max=50)],
        filters=[strip],
        render_kw={"autocomplete": "off", "autocapitalize": "none"},
    )


class IssueForm(FindAccountForm):
    # Labelled with the account's number once the account is found.
    send_sms = BooleanField()
