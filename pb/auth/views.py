from __future__ import annotations

from flask import flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from werkzeug.wrappers import Response

from pb import throttle
from pb.auth import bp, services, sessions
from pb.auth.forms import LoginForm, PasswordForm, ProfileForm, RegisterForm
from pb.errors import RuleViolation
from pb.extensions import db
from pb.forms import given
from pb.i18n import current_language
from pb.models import Municipality, Role
from pb.municipalities.services import municipality_choices, village_choices
from pb.roll import confirmations
from pb.urls import safe_next


def _profile_from(form: RegisterForm | ProfileForm) -> services.Profile:
    return services.Profile(
        display_name=given(form.display_name.data),
        locale=form.locale.data,
        gender=form.gender.data or None,
        birth_year=form.birth_year.data,
        village_id=form.village_id.data,
    )


@bp.route("/register", methods=["GET", "POST"])
def register() -> str | Response:
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    chosen = None
    slug = request.args.get("m")
    if slug:
        chosen = db.session.scalar(select(Municipality).where(Municipality.slug == slug))
    form = RegisterForm()
    if request.method == "GET":
        form.locale.data = current_language()
        if chosen:
            form.municipality_id.data = chosen.id
    form.municipality_id.choices = municipality_choices()
    municipality = (
        db.session.get(Municipality, form.municipality_id.data)
        if isinstance(form.municipality_id.data, int)
        else None
    )
    form.village_id.choices = [("", _("Not given")), *village_choices(municipality)]
    if form.validate_on_submit():
        # Trying phone numbers to learn which have accounts is slowed down as guessing is. Only
        # refusals count: a village may register from one address after its meeting.
        throttle_key = f"register:{request.remote_addr or 'unknown'}"
        throttle.check(throttle_key)
        if municipality is None:
            form.municipality_id.errors = [_("Choose your municipality.")]
        else:
            try:
                user = services.register_resident(
                    municipality=municipality,
                    password=given(form.password.data),
                    profile=_profile_from(form),
                    phone=form.phone.data,
                    username=form.username.data,
                )
            except services.AccountTaken as error:
                throttle.record_failure(throttle_key)
                flash(str(error.message), "error")
            except RuleViolation as error:
                flash(str(error.message), "error")
            else:
                sessions.start(user)
                flash(_("Welcome! Your account is ready."), "success")
                # Where only the voter roll votes, she cannot vote before an officer confirms
                # her: say so now, not first on a ballot she cannot send.
                flash(
                    _(
                        "You can send proposals now. To vote where only residents on the voter "
                        "roll vote, the ayil okmotu's officer must confirm your account: your "
                        "account page says where to go."
                    ),
                    "info",
                )
                return redirect(url_for("municipalities.show", slug=municipality.slug))
    return render_template("auth/register.html", form=form, municipality=municipality)


@bp.route("/login", methods=["GET", "POST"])
def login() -> str | Response:
    if current_user.is_authenticated:
        return redirect(safe_next(request.args.get("next")))
    form = LoginForm()
    if form.validate_on_submit():
        # Password guessing is slowed down per client, as code guessing is.
        throttle_key = f"login:{request.remote_addr or 'unknown'}"
        throttle.check(throttle_key)
        user = services.authenticate(given(form.login.data), given(form.password.data))
        if user is None:
            throttle.record_failure(throttle_key)
            form.password.errors = [_("Wrong phone number, user name or password.")]
        else:
            sessions.start(user, remember=bool(form.remember.data))
            return redirect(safe_next(request.args.get("next")))
    return render_template("auth/login.html", form=form)


@bp.route("/logout", methods=["POST"])
def logout() -> Response:
    sessions.end(current_user._get_current_object())
    flash(_("You have logged out."), "info")
    return redirect(url_for("main.index"))


@bp.route("/account", methods=["GET", "POST"])
@login_required
def profile() -> str | Response:
    form = ProfileForm(obj=current_user)
    if request.method == "GET":
        form.gender.data = current_user.gender.value if current_user.gender else ""
    villages: list[tuple[int, str]] = []
    for municipality in current_user.municipalities_with_role(*Role):
        villages.extend(village_choices(municipality))
    form.village_id.choices = [("", _("Not given")), *villages]
    if form.validate_on_submit():
        try:
            services.update_profile(current_user, _profile_from(form))
        except RuleViolation as error:
            form.village_id.errors = [str(error.message)]
        else:
            session["locale"] = current_user.locale
            flash(_("Your profile is saved."), "success")
            return redirect(url_for("auth.profile"))
    return render_template(
        "auth/profile.html", form=form, roll_statuses=confirmations.roll_statuses(current_user)
    )


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password() -> str | Response:
    form = PasswordForm()
    form.personal = [current_user.display_name, current_user.username, current_user.phone]
    if form.validate_on_submit():
        try:
            services.change_password(
                current_user, given(form.current.data), given(form.password.data)
            )
        except RuleViolation as error:
            form.current.errors = [str(error.message)]
        else:
            # The new login token ended every session of the account, this one too: the
            # others stay ended, this device is logged in again quietly.
            sessions.restart(current_user._get_current_object())
            flash(_("Your password is changed."), "success")
            return redirect(url_for("auth.profile"))
    return render_template("auth/password.html", form=form)
