from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import segno
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required
from markupsafe import Markup
from werkzeug.wrappers import Response

from pb import labels, printing
from pb.auth.access import ensure_officer
from pb.consultations.helpers import visible_consultation_or_404
from pb.errors import RuleViolation
from pb.models import Consultation, Phase
from pb.printed import bp
from pb.printed.forms import RANDOM, PaperOrderForm
from pb.voting import ordering
from pb.voting.kinds import KINDS, BallotRules

T = TypeVar("T")


def _officers_consultation(consultation_id: int) -> Consultation:
    consultation = visible_consultation_or_404(consultation_id)
    ensure_officer(current_user, consultation.municipality_id)
    return consultation


def _in_each(languages: tuple[str, ...], words: Callable[[], T]) -> list[T]:
    """``words()`` in each language: the labels of what is printed once (a table, the fields of
    a form) read "Сунуш / Предложение" on a page in Kyrgyz and Russian side by side."""
    found = []
    for language in languages:
        with force_locale(language):
            found.append(words())
    return found


def _qr(link: str) -> Markup:
    # Drawn here, as SVG; the markup is ours, not user content.
    return Markup(segno.make(link, error="m").svg_inline(scale=4, border=2, omitsize=True))


def _page(template: str, consultation: Consultation, **context: object) -> str:
    choice = printing.print_choice(request.args.get("lang"))
    languages = printing.CHOICES[choice]
    return render_template(
        template,
        consultation=consultation,
        choice=choice,
        languages=languages,
        printing=printing,
        **context,
    )


@bp.route("/c/<int:consultation_id>/print/ballot")
@login_required
@printing.print_view
def ballot(consultation_id: int) -> str:
    consultation = _officers_consultation(consultation_id)
    languages = printing.print_languages(request.args.get("lang"))
    kind = KINDS[consultation.ballot_kind]
    rules = BallotRules(
        costs={},
        budget=consultation.budget,
        approval_limit=consultation.approval_limit,
        points_total=consultation.points_total,
    )
    proposals = ordering.paper_ballot_proposals(consultation)
    headings = _in_each(
        languages,
        lambda: {
            "number": _("No."),
            "proposal": _("Proposal"),
            "cost": _("Cost"),
            "mark": _("Points") if kind.uses_points else _("Your tick"),
        },
    )
    return _page(
        "printed/ballot.html",
        consultation,
        heads=printing.render_in_each(
            languages,
            "printed/_ballot_head.html",
            consultation=consultation,
            kind=kind,
            rules=rules,
        ),
        table=printing.render_in_each(
            languages[:1], "printed/_ballot_table.html", proposals=proposals, headings=headings
        )[0],
    )


@bp.route("/c/<int:consultation_id>/print/ballot/order", methods=["POST"])
@login_required
@printing.print_view
def ballot_order(consultation_id: int) -> Response:
    consultation = _officers_consultation(consultation_id)
    form = PaperOrderForm()
    if not form.validate():
        abort(400)
    try:
        ordering.set_random_order(current_user, consultation, form.order.data == RANDOM)
    except RuleViolation as error:
        flash(str(error.message), "error")
    else:
        flash(_("The order of the printed ballot is saved."), "success")
    return redirect(
        url_for(
            "printed.ballot",
            consultation_id=consultation.id,
            lang=printing.print_choice(request.args.get("lang")),
        )
    )


@bp.route("/c/<int:consultation_id>/print/proposal-form")
@login_required
@printing.print_view
def proposal_form(consultation_id: int) -> str:
    consultation = _officers_consultation(consultation_id)
    languages = printing.print_languages(request.args.get("lang"))
    words = _in_each(
        languages,
        lambda: {
            "title": _("Title of the proposal"),
            "description": _("What should be done, where, and why"),
            "village": _("Village"),
            "other_village": _("Other place:"),
            "cost": _("Estimated cost, in som"),
            "benefits": _("Who benefits most (tick one or more)"),
            "contact": _("Your name and phone number, so that the officer can ask you"),
            "beneficiaries": {group: str(label) for group, label in labels.BENEFICIARIES.items()},
        },
    )
    return _page(
        "printed/proposal_form.html",
        consultation,
        heads=printing.render_in_each(
            languages, "printed/_proposal_form_head.html", consultation=consultation
        ),
        words=words,
        beneficiaries=list(labels.BENEFICIARIES),
    )


@bp.route("/c/<int:consultation_id>/print/poster")
@login_required
@printing.print_view
def poster(consultation_id: int) -> str:
    consultation = _officers_consultation(consultation_id)
    languages = printing.print_languages(request.args.get("lang"))
    # The QR code opens the consultation's page in the first language printed.
    link = url_for(
        "consultations.show", consultation_id=consultation.id, lang=languages[0], _external=True
    )
    return _page(
        "printed/poster.html",
        consultation,
        columns=[
            printing.render_in_each(
                (language,),
                "printed/_poster_text.html",
                consultation=consultation,
                Phase=Phase,
                url=url_for(
                    "consultations.show",
                    consultation_id=consultation.id,
                    lang=language,
                    _external=True,
                ),
            )[0]
            for language in languages
        ],
        qr=_qr(link),
    )
