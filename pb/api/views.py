"""The API's routes: each parses its parameters, reads through pb.api.reading and answers
through its schema (pb.api.http.answer). ``documented`` records what pb.api.openapi says of it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from flask import abort, current_app, jsonify, request, url_for
from flask_babel import gettext as _
from marshmallow import Schema
from werkzeug.wrappers import Response as BaseResponse

from pb.api import bp, http, reading
from pb.api import schemas as s
from pb.api.openapi import build_document
from pb.models import Consultation

F = TypeVar("F", bound=Callable[..., Any])

#: The endpoint that serves a photo in one of its web sizes (pb.photos).
PHOTO_ENDPOINT = "photos.show"


def photo_url(photo_id: int, size: str) -> str:
    return url_for(PHOTO_ENDPOINT, photo_id=photo_id, size=size, _external=True)


@dataclass(frozen=True)
class Doc:
    summary: str
    schema: type[Schema]
    paginated: bool = False


def documented(summary: str, schema: type[Schema], paginated: bool = False) -> Callable[[F], F]:
    def record(view: F) -> F:
        view.api_doc = Doc(summary, schema, paginated)  # type: ignore[attr-defined]
        return view

    return record


@bp.before_request
def throttle() -> None:
    if request.method != "OPTIONS":
        http.count_request(request.remote_addr or "")


@bp.after_request
def cors(response: BaseResponse) -> BaseResponse:
    return http.allow_any_origin(response)


@bp.errorhandler(http.BadParameter)
def bad_parameter(error: http.BadParameter) -> BaseResponse:
    return http.error_response(400, error.message)


@bp.errorhandler(http.TooManyRequests)
def too_many_requests(error: http.TooManyRequests) -> BaseResponse:
    response = http.error_response(429)
    response.headers["Retry-After"] = str(http.window_seconds())
    return response


def _not_yet() -> None:
    abort(
        404, _("The results and participation figures are shown once the officer publishes them.")
    )


def _consultation_or_404(consultation_id: int) -> Consultation:
    consultation = reading.consultation(consultation_id)
    if consultation is None:
        abort(404)
    return consultation


def _published_or_404(consultation_id: int) -> Consultation:
    """Results, figures and implementation: to everyone once published (as the pages)."""
    consultation = _consultation_or_404(consultation_id)
    if not consultation.results_public:
        _not_yet()
    return consultation


def _external(endpoint: str, **values: Any) -> str:
    return url_for(endpoint, **values, _external=True)


def _municipality(municipality: Any) -> dict[str, Any]:
    return reading.municipality_dict(
        municipality,
        {
            "consultations_url": _external("api.consultations", slug=municipality.slug),
            "updates_feed_url": _external("feeds.updates", slug=municipality.slug),
        },
    )


def _consultation(consultation: Consultation) -> dict[str, Any]:
    cid = consultation.id
    return reading.consultation_dict(
        consultation,
        {
            "proposals_url": _external("api.proposals", consultation_id=cid),
            "results_url": _external("api.results", consultation_id=cid),
            "participation_url": _external("api.participation", consultation_id=cid),
            "implementation_url": _external("api.implementations", consultation_id=cid),
        },
    )


@bp.route("/openapi.json")
def openapi() -> BaseResponse:
    document = current_app.extensions.get("pb_api_openapi")
    if document is None:
        document = current_app.extensions["pb_api_openapi"] = build_document(current_app)
    response = jsonify(document)
    response.add_etag()
    return response.make_conditional(request)


@bp.route("/municipalities")
@documented("Municipalities", s.MunicipalityPageSchema, paginated=True)
def municipalities() -> BaseResponse:
    limit, offset = http.paging()
    page = reading.municipalities(limit, offset)
    items = [_municipality(m) for m in page.items]
    return http.answer(s.MunicipalityPageSchema(), http.page_body(items, page.total, limit, offset))


@bp.route("/municipalities/<slug>")
@documented("A municipality", s.MunicipalitySchema)
def municipality(slug: str) -> BaseResponse:
    found = reading.municipality(slug)
    if found is None:
        abort(404)
    return http.answer(s.MunicipalitySchema(), _municipality(found))


@bp.route("/municipalities/<slug>/consultations")
@documented("A municipality's budget hearings (not drafts)", s.ConsultationPageSchema, True)
def consultations(slug: str) -> BaseResponse:
    limit, offset = http.paging()
    found = reading.municipality(slug)
    if found is None:
        abort(404)
    page = reading.consultations(found, limit, offset)
    items = [_consultation(c) for c in page.items]
    return http.answer(s.ConsultationPageSchema(), http.page_body(items, page.total, limit, offset))


@bp.route("/consultations/<int:consultation_id>")
@documented("A budget hearing", s.ConsultationSchema)
def consultation(consultation_id: int) -> BaseResponse:
    return http.answer(s.ConsultationSchema(), _consultation(_consultation_or_404(consultation_id)))


@bp.route("/consultations/<int:consultation_id>/proposals")
@documented("Its public proposals (never rejected ones)", s.ProposalPageSchema, True)
def proposals(consultation_id: int) -> BaseResponse:
    limit, offset = http.paging()
    consultation = _consultation_or_404(consultation_id)
    page = reading.proposals(consultation, limit, offset)
    items = [reading.proposal_dict(p) for p in page.items]
    return http.answer(s.ProposalPageSchema(), http.page_body(items, page.total, limit, offset))


@bp.route("/proposals/<int:proposal_id>")
@documented("A public proposal", s.ProposalSchema)
def proposal(proposal_id: int) -> BaseResponse:
    found = reading.proposal(proposal_id)
    if found is None:
        abort(404)
    return http.answer(s.ProposalSchema(), reading.proposal_dict(found))


@bp.route("/consultations/<int:consultation_id>/results")
@documented("Its results, once published", s.ResultSchema)
def results(consultation_id: int) -> BaseResponse:
    consultation = _published_or_404(consultation_id)
    return http.answer(s.ResultSchema(), reading.result_dict(consultation))


@bp.route("/consultations/<int:consultation_id>/participation")
@documented("Who took part, small groups hidden, once published", s.ParticipationSchema)
def participation(consultation_id: int) -> BaseResponse:
    consultation = _published_or_404(consultation_id)
    return http.answer(s.ParticipationSchema(), reading.participation_dict(consultation))


@bp.route("/consultations/<int:consultation_id>/implementation")
@documented("What became of its funded proposals", s.ImplementationPageSchema, True)
def implementations(consultation_id: int) -> BaseResponse:
    limit, offset = http.paging()
    consultation = _published_or_404(consultation_id)
    page = reading.implementations(consultation, limit, offset)
    items = [reading.implementation_dict(i, photo_url) for i in page.items]
    return http.answer(
        s.ImplementationPageSchema(), http.page_body(items, page.total, limit, offset)
    )


@bp.route("/proposals/<int:proposal_id>/implementation")
@documented("What became of a funded proposal", s.ImplementationSchema)
def implementation(proposal_id: int) -> BaseResponse:
    found = reading.implementation(proposal_id)
    if found is None:
        abort(404)
    return http.answer(s.ImplementationSchema(), reading.implementation_dict(found, photo_url))
