"""The OpenAPI document: valid OpenAPI 3, and schemathesis finds nothing against it (no server
error, every answer as the document says) with a published consultation to read."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from openapi_spec_validator import validate
from schemathesis import GenerationMode, checks

OPENAPI = "/api/v1/openapi.json"

# No server error; status, content type, headers and body as the document says; invalid input
# refused; other methods refused.
CHECKS = [
    checks.not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_headers_conformance,
    checks.response_schema_conformance,
    checks.negative_data_rejection,
    checks.unsupported_method,
]


def test_the_document_is_valid_openapi_3_and_describes_every_route(app, client):
    response = client.get(OPENAPI)
    assert response.status_code == 200 and response.mimetype == "application/json"
    document = response.get_json()
    validate(document)
    assert document["openapi"].startswith("3.")
    routes = {
        rule.rule for rule in app.url_map.iter_rules() if rule.endpoint.startswith("api.")
    } - {OPENAPI}
    documented = {path.replace("{", "<").replace("}", ">") for path in document["paths"]}
    # Every route of the API is in the document, with its path parameters typed.
    assert {rule.replace("<int:", "<") for rule in routes} == documented
    limit = next(
        p
        for p in document["paths"]["/api/v1/municipalities"]["get"]["parameters"]
        if p["name"] == "limit"
    )
    assert limit["schema"] == {"type": "integer", "minimum": 1, "maximum": 100}


def _examples(document, values):
    """Each path parameter of the document with the published world's values as examples,
    so that schemathesis reads real rows as well as missing ones."""
    for operations in document["paths"].values():
        for operation in operations.values():
            for parameter in operation.get("parameters", []):
                given = values.get(parameter["name"])
                if given:
                    parameter["examples"] = {
                        f"e{i}": {"value": value} for i, value in enumerate(given)
                    }
    return document


@pytest.fixture
def api_schema(app, published):
    app.config["API_REQUESTS_PER_WINDOW"] = 1_000_000
    document = app.test_client().get(OPENAPI).get_json()
    values = _values(published)
    config = schemathesis.Config.from_dict(
        {"generation": {"max-examples": 15}, "suppress-health-check": ["all"]}
    )
    schema = schemathesis.openapi.from_dict(_examples(document, values), config=config)
    schema.app = app
    return schema


def _values(published):
    return {
        "slug": [published.world.municipality.slug, published.world.other_municipality.slug],
        "consultation_id": [published.consultation.id, published.draft.id],
        "proposal_id": [published.funded.id, published.rejected.id, published.draft_proposal.id],
    }


def test_schemathesis_finds_nothing(api_schema):
    # Each operation's cases drawn by Hypothesis from the document (valid and invalid input,
    # and the examples), sent to the app, each answer checked by schemathesis's checks.
    # (Schemathesis's pytest plugin does not run under this pytest, hence its strategies.)
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) == 10
    assert len([operation for operation in operations if operation.query]) == 4
    for operation in operations:
        # Invalid input where there is any to give: the paging parameters (a path that does
        # not fit is a 404 of the router, which the positive cases reach already).
        modes = [GenerationMode.POSITIVE] + ([GenerationMode.NEGATIVE] if operation.query else [])
        for mode in modes:

            @settings(
                max_examples=20,
                deadline=None,
                suppress_health_check=list(HealthCheck),
                database=None,
            )
            @given(case=operation.as_strategy(mode))
            def run(case):
                case.call_and_validate(checks=CHECKS)

            run()


def test_every_operation_on_the_published_world_matches_the_document(api_schema, published):
    # Hypothesis may not draw the ids of the rows there are: each operation is also called with
    # each of them (the published consultation, the draft, the rejected proposal...).
    values = _values(published)
    calls = 0
    for result in api_schema.get_all_operations():
        operation = result.ok()
        names = [p.name for p in operation.path_parameters]
        assert len(names) <= 1
        for value in values[names[0]] if names else [None]:
            for query in ({}, {"limit": 1, "offset": 1}) if operation.query else ({},):
                case = operation.Case(
                    path_parameters={names[0]: value} if names else {}, query=query
                )
                case.call_and_validate(checks=CHECKS)
                calls += 1
    assert calls == 28
