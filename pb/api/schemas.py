"""What the open data API returns, one marshmallow schema per kind of object.

The schemas are the API's one definition of its output: the views dump their answers through
them (only the fields declared here leave pb, so a field added to a model never slips out), and
pb.api.openapi describes them in the OpenAPI document. Nothing here names a person: no author,
no proposer, no officer, no voter.
"""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from pb.models import (
    BallotKind,
    Beneficiary,
    ImplementationStatus,
    Phase,
)

#: The proposals the API lists: those the site shows everyone, except the rejected ones (a
#: rejection's reason can speak of the person who asked); withdrawn ones are their author's.
PUBLIC_PROPOSAL_STATUSES = ("submitted", "accepted", "merged")

PUBLIC_PHASES = [phase.value for phase in Phase if phase != Phase.DRAFT]


class TextsSchema(Schema):
    """One text in the three languages; null where it was not written in that one."""

    ky = fields.String(required=True, allow_none=True)
    ru = fields.String(required=True, allow_none=True)
    en = fields.String(required=True, allow_none=True)


class VillageSchema(Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)


class MunicipalitySchema(Schema):
    slug = fields.String(required=True)
    name = fields.Nested(TextsSchema, required=True)
    region = fields.Nested(TextsSchema, required=True)
    villages = fields.List(fields.Nested(VillageSchema), required=True)
    consultations_url = fields.String(required=True)
    updates_feed_url = fields.String(required=True, metadata={"description": "Atom feed"})


class CategorySchema(Schema):
    key = fields.String(
        required=True, allow_none=True, metadata={"description": "a standard category's key"}
    )
    name = fields.String(
        required=True, allow_none=True, metadata={"description": "an officer's own category"}
    )


class ConsultationSchema(Schema):
    id = fields.Integer(required=True)
    municipality = fields.String(required=True, metadata={"description": "its slug"})
    title = fields.Nested(TextsSchema, required=True)
    description = fields.Nested(TextsSchema, required=True)
    budget = fields.Integer(required=True, metadata={"description": "som"})
    phase = fields.String(required=True, validate=validate.OneOf(PUBLIC_PHASES))
    proposals_from = fields.Date(required=True)
    proposals_until = fields.Date(required=True)
    review_until = fields.Date(required=True)
    voting_from = fields.Date(required=True)
    voting_until = fields.Date(required=True)
    results_on = fields.Date(required=True)
    ballot_kind = fields.String(
        required=True, validate=validate.OneOf([kind.value for kind in BallotKind])
    )
    counting_rule = fields.String(required=True)
    results_public = fields.Boolean(required=True)
    villages = fields.List(fields.Nested(VillageSchema), required=True)
    categories = fields.List(fields.Nested(CategorySchema), required=True)
    proposals_url = fields.String(required=True)
    results_url = fields.String(required=True)
    participation_url = fields.String(required=True)
    implementation_url = fields.String(required=True)


class ProposalSchema(Schema):
    id = fields.Integer(required=True)
    consultation_id = fields.Integer(required=True)
    title = fields.String(required=True)
    description = fields.String(required=True)
    language = fields.String(required=True)
    status = fields.String(required=True, validate=validate.OneOf(PUBLIC_PROPOSAL_STATUSES))
    cost = fields.Integer(required=True, metadata={"description": "som: the cost that counts"})
    estimated_cost = fields.Integer(required=True)
    approved_cost = fields.Integer(required=True, allow_none=True)
    category = fields.Nested(CategorySchema, required=True)
    village = fields.Nested(VillageSchema, required=True)
    beneficiaries = fields.List(
        fields.String(validate=validate.OneOf([group.value for group in Beneficiary])),
        required=True,
    )
    merged_into_id = fields.Integer(required=True, allow_none=True)
    submitted_on = fields.Date(required=True)


class ResultRowSchema(Schema):
    proposal_id = fields.Integer(required=True)
    title = fields.String(required=True)
    votes = fields.Integer(required=True, metadata={"description": "votes, or points"})
    cost = fields.Integer(required=True)
    funded = fields.Boolean(required=True)
    position = fields.Integer(
        required=True, allow_none=True, metadata={"description": "the order funded"}
    )
    reason = fields.String(required=True)


class ResultSchema(Schema):
    consultation_id = fields.Integer(required=True)
    rule = fields.String(required=True)
    complete_with_greedy = fields.Boolean(required=True)
    ballots = fields.Integer(required=True)
    budget = fields.Integer(required=True)
    total_cost = fields.Integer(required=True, metadata={"description": "of the funded ones"})
    counted_at = fields.DateTime(required=True, allow_none=True)
    proposals = fields.List(fields.Nested(ResultRowSchema), required=True)


class GroupCountSchema(Schema):
    group = fields.String(
        required=True,
        metadata={"description": "the group's key (a village's id); empty: not given"},
    )
    count = fields.Integer(
        required=True, allow_none=True, metadata={"description": "null: too few to show"}
    )


class BreakdownSchema(Schema):
    total = fields.Integer(required=True)
    groups = fields.List(fields.Nested(GroupCountSchema), required=True)


class BreakdownsSchema(Schema):
    gender = fields.Nested(BreakdownSchema, required=True)
    age = fields.Nested(BreakdownSchema, required=True)
    village = fields.Nested(BreakdownSchema, required=True)
    channel = fields.Nested(BreakdownSchema, required=True)


class ShareSchema(Schema):
    among = fields.Float(
        required=True, allow_none=True, metadata={"description": "null: too few people said"}
    )
    population = fields.Float(required=True, allow_none=True)


class SharesSchema(Schema):
    voters = fields.Nested(ShareSchema, required=True)
    proposers = fields.Nested(ShareSchema, required=True)


class ChosenBySchema(Schema):
    proposal_id = fields.Integer(required=True)
    title = fields.String(required=True)
    ballots = fields.Integer(required=True)
    women = fields.Integer(required=True, allow_none=True)
    young = fields.Integer(required=True, allow_none=True)


class ParticipationSchema(Schema):
    consultation_id = fields.Integer(required=True)
    small_group = fields.Integer(
        required=True, metadata={"description": "groups of fewer people are not shown"}
    )
    voters = fields.Integer(required=True)
    voters_by = fields.Nested(BreakdownsSchema, required=True)
    proposers = fields.Integer(required=True)
    proposers_by = fields.Nested(BreakdownsSchema, required=True)
    women = fields.Nested(SharesSchema, required=True)
    youth = fields.Nested(SharesSchema, required=True)
    has_population = fields.Boolean(required=True)
    chosen_by = fields.List(fields.Nested(ChosenBySchema), required=True)


class PhotoUrlsSchema(Schema):
    size = fields.String(required=True)
    width = fields.Integer(required=True)
    height = fields.Integer(required=True)
    url = fields.String(required=True)


class PhotoSchema(Schema):
    id = fields.Integer(required=True)
    alt_text = fields.String(required=True)
    width = fields.Integer(required=True)
    height = fields.Integer(required=True)
    files = fields.List(fields.Nested(PhotoUrlsSchema), required=True)


class UpdateSchema(Schema):
    id = fields.Integer(required=True)
    posted_on = fields.Date(required=True)
    language = fields.String(required=True)
    text = fields.String(required=True)
    photos = fields.List(fields.Nested(PhotoSchema), required=True)


class ImplementationSchema(Schema):
    proposal_id = fields.Integer(required=True)
    consultation_id = fields.Integer(required=True)
    title = fields.String(required=True)
    status = fields.String(
        required=True, validate=validate.OneOf([s.value for s in ImplementationStatus])
    )
    status_reason = fields.String(required=True, allow_none=True)
    planned_cost = fields.Integer(required=True)
    actual_cost = fields.Integer(required=True, allow_none=True)
    community_money = fields.Integer(required=True, allow_none=True)
    community_labour = fields.String(required=True, allow_none=True)
    contractor = fields.String(required=True, allow_none=True)
    started_on = fields.Date(required=True, allow_none=True)
    finished_on = fields.Date(required=True, allow_none=True)
    changes = fields.String(required=True, allow_none=True)
    updated_at = fields.DateTime(required=True)
    updates = fields.List(fields.Nested(UpdateSchema), required=True)


class PageSchema(Schema):
    total = fields.Integer(required=True)
    limit = fields.Integer(required=True)
    offset = fields.Integer(required=True)
    next = fields.String(
        required=True, allow_none=True, metadata={"description": "the next page, if any"}
    )


class MunicipalityPageSchema(PageSchema):
    items = fields.List(fields.Nested(MunicipalitySchema), required=True)


class ConsultationPageSchema(PageSchema):
    items = fields.List(fields.Nested(ConsultationSchema), required=True)


class ProposalPageSchema(PageSchema):
    items = fields.List(fields.Nested(ProposalSchema), required=True)


class ImplementationPageSchema(PageSchema):
    items = fields.List(fields.Nested(ImplementationSchema), required=True)


class ErrorDetailSchema(Schema):
    status = fields.Integer(required=True)
    title = fields.String(required=True)
    message = fields.String(required=True)


class ErrorSchema(Schema):
    error = fields.Nested(ErrorDetailSchema, required=True)
