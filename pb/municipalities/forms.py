from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import IntegerField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # new in WTForms 3.3; types-WTForms is for 3.2
from wtforms.validators import Optional, Regexp

from pb.forms import Form, add_error, empty_to_none, length, number_range, required, strip
from pb.labels import ROLES
from pb.models import Role


class MunicipalityForm(Form):
    slug = StringField(
        _l("Web address"),
        validators=[
            required(),
            length(max=60, min=2),
            Regexp(
                r"^[a-z0-9]+(-[a-z0-9]+)*$",
                message=_l("Use small Latin letters, digits and dashes, for example kara-suu."),
            ),
        ],
        filters=[strip],
        description=_l("Part of the page address, for example kara-suu."),
    )
    name_ky = StringField(
        _l("Name in Kyrgyz"), validators=[Optional(), length(max=150)], filters=[empty_to_none]
    )
    name_ru = StringField(
        _l("Name in Russian"), validators=[Optional(), length(max=150)], filters=[empty_to_none]
    )
    name_en = StringField(
        _l("Name in English"), validators=[Optional(), length(max=150)], filters=[empty_to_none]
    )
    region = StringField(
        _l("Region and district in Kyrgyz"),
        validators=[Optional(), length(max=100)],
        filters=[empty_to_none],
    )
    region_ru = StringField(
        _l("Region and district in Russian"),
        validators=[Optional(), length(max=100)],
        filters=[empty_to_none],
    )
    region_en = StringField(
        _l("Region and district in English"),
        validators=[Optional(), length(max=100)],
        filters=[empty_to_none],
    )
    villages = TextAreaField(
        _l("Villages"),
        validators=[Optional(), length(max=10000)],
        description=_l("One village per line."),
        render_kw={"rows": 6},
    )

    def validate(self, extra_validators: Mapping[str, Sequence[Any]] | None = None) -> bool:
        ok = super().validate(extra_validators)
        if not (self.name_ky.data or self.name_ru.data or self.name_en.data):
            add_error(self.name_ky, _l("Give the name in at least one language."))
            ok = False
        return ok


class AppointForm(Form):
    login = StringField(
        _l("Phone number or user name of their account"),
        validators=[required(), length(max=50)],
        filters=[strip],
    )
    role = SelectField(
        _l("Role"),
        choices=[SelectChoice(r.value, ROLES[r]) for r in (Role.OFFICER, Role.COUNCIL)],
        validators=[required()],
    )


class PopulationForm(Form):
    adults = IntegerField(
        _l("Residents aged 14 and over"),
        validators=[required(), number_range(1, 10_000_000)],
        render_kw={"inputmode": "numeric"},
    )
    women = IntegerField(
        _l("Of them, women"),
        validators=[required(), number_range(0, 10_000_000)],
        render_kw={"inputmode": "numeric"},
    )
    youth = IntegerField(
        _l("Of them, young people aged 14 to 35"),
        validators=[required(), number_range(0, 10_000_000)],
        render_kw={"inputmode": "numeric"},
    )
    year = IntegerField(
        _l("Year of the figures (optional)"),
        validators=[Optional(), number_range(1990, 2100)],
    )
    source = StringField(
        _l("Source (optional)"),
        validators=[Optional(), length(max=200)],
        filters=[empty_to_none],
        description=_l("For example: household register of the ayil okmotu, 2026."),
    )

    def validate(self, extra_validators: Mapping[str, Sequence[Any]] | None = None) -> bool:
        ok = super().validate(extra_validators)
        for part in (self.women, self.youth):
            if self.adults.data and part.data and part.data > self.adults.data:
                add_error(part, _l("This cannot be more than all residents aged 14 and over."))
                ok = False
        return ok
