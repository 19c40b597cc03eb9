"""Pages of the password reset codes: "Forgot your password?", setting a new password with a
code, and the officer's (or administrator's) page that issues codes. See pb.auth.resets."""

from __future__ import annotations

from flask import (
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from pb import sms
from pb.auth import bp, resets, sessions
from pb.auth.forms import IssueForm, ResetPasswordForm
from pb.errors import RuleViolation
from pb.forms import given
from pb.models import Role


def _client_key() -> str:
    return f"reset:{request.remote_addr or 'unknown'}"


@bp.route("/forgot-password")
def forgot_password() -> str:
    return render_template(
        "auth/forgot.html",
        municipalities=resets.municipality_contacts(),
        hours=current_app.config["PASSWORD_RESET_HOURS"],
    )


@bp.route("/reset-password", methods=["GET", "POST"])
def reset_password() -> str | Response:
    form = ResetPasswordForm()
    if form.validate_on_submit():
        try:
            user = resets.reset_password(
                given(form.login.data),
                given(form.code.data),
                given(form.password.data),
                client=_client_key(),
            )
        except resets.EasyPassword as error:
            form.password.errors = [str(error.message)]
        except RuleViolation as error:
            form.code.errors = [str(error.message)]
        else:
            sessions.start(user)
            flash(
                _("Your new password is set, and you are logged in. Other devices are logged out."),
                "success",
            )
            return redirect(url_for("main.index"))
    return render_template("auth/reset.html", form=form)


@bp.route("/accounts/reset", methods=["GET", "POST"])
@login_required
def reset_issue() -> str | Response:
    actor = resets.ensure_may_issue_any(current_user)
    sender = sms.sender_for(current_app)
    form = IssueForm()
    if not form.validate_on_submit():
        return render_template("auth/reset_issue.html", form=form, account=None)
    account = resets.find_account(actor, given(form.login.data))
    if account is None:
        form.login.errors = [
            _("No account with this phone number or user name that you may reset was found.")
        ]
        return render_template("auth/reset_issue.html", form=form, account=None)
    may_send = sender is not None and bool(account.phone)
    if request.form.get("action") != "issue":
        # Found: show who it is, so the officer can compare with the identity document.
        form.send_sms.data = False
        form.send_sms.label.text = _("Also send the code by SMS to %(phone)s", phone=account.phone)
        return render_template(
            "auth/reset_issue.html",
            form=form,
            account=account,
            municipalities=account.municipalities_with_role(*Role),
            may_send=may_send,
        )
    issued = resets.issue_reset_code(actor, account)
    sms_sent = sms_failed = False
    if form.send_sms.data and may_send and sender is not None:
        try:
            resets.send_by_sms(sender, account, issued)
        except (sms.SmsError, RuleViolation):
            sms_failed = True
        else:
            sms_sent = True
    # Shown in the answer to the POST itself, never kept: the code is in no session, no log,
    # and (no-store) no browser cache of the office computer.
    response = make_response(
        render_template(
            "auth/reset_issued.html",
            account=account,
            issued=issued,
            sms_sent=sms_sent,
            sms_failed=sms_failed,
        )
    )
    response.headers["Cache-Control"] = "no-store"
    return response
