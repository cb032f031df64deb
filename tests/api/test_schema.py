"""Property-based conformance of the served OpenAPI document (Schemathesis, in-process WSGI): for
every operation, generated requests with a valid token of Huế never get a 5xx, and every answer
(200, 304, 400, 401, 404, 429) is one the document declares, with a body matching its schema."""
from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    ignored_auth,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.api.conftest import bearer

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_headers_conformance,
          response_schema_conformance, ignored_auth]
EXAMPLES = 15  # per operation: the whole run stays well under a minute


@pytest.fixture
def api_schema(app, api_world):
    # Room for every generated request: the rate limit has its own test (tests/api/test_api.py).
    app.config["API_RATE_LIMIT"] = 100_000
    yield schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    app.config["API_RATE_LIMIT"] = 120


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
          suppress_health_check=list(HealthCheck))
def test_every_operation_conforms(case, api_world):
    case.call_and_validate(headers=bearer(api_world.hue_secret), checks=CHECKS)


def test_the_document_covers_every_api_route(app):
    """Every /api/v1 route but the document itself is an operation of the document, and back."""
    document = app.test_client().get("/api/v1/openapi.json").get_json()
    declared = {"/api/v1" + path.replace("{", "<").replace("}", ">") for path in document["paths"]}
    routes = {rule.rule.replace("<int:", "<") for rule in app.url_map.iter_rules()
              if rule.rule.startswith("/api/v1/") and rule.endpoint != "api.openapi_document"}
    assert declared == routes


def test_real_objects_answer_as_documented(app, api_schema, api_world):
    """The objects of the area (which random ids seldom hit) through the same checks."""
    w = api_world
    period = w.hue.period.code
    calls = [
        ("/plans", {}, {}), ("/plans/{plan_id}", {"plan_id": w.hue.plan.id}, {}),
        ("/plans/{plan_id}/figures", {"plan_id": w.hue.plan.id}, {"period": period}),
        ("/plans/{plan_id}/points-at-risk", {"plan_id": w.hue.plan.id}, {}),
        ("/items", {}, {"period": period}), ("/items", {}, {"status": "late", "limit": 1}),
        ("/items/{item_id}", {"item_id": w.hue.project.id}, {}),
        ("/periods", {}, {"status": "open"}), ("/periods/{code}/completeness", {"code": period}, {}),
        ("/indicator-links", {}, {"plan_id": w.hue.plan.id}),
    ]
    for path, path_parameters, query in calls:
        case = api_schema[path]["GET"].Case(path_parameters=path_parameters, query=query)
        response = case.call_and_validate(headers=bearer(w.hue_secret), checks=CHECKS)
        assert response.status_code == 200, (path, response.text[:300])
        if path_parameters and "code" not in path_parameters:
            # the same object asked for with another area's token: a documented 404
            other = api_schema[path]["GET"].Case(path_parameters=path_parameters, query=query)
            refused = other.call_and_validate(headers=bearer(w.thanhhoa_secret), checks=CHECKS)
            assert refused.status_code == 404, (path, refused.text[:300])
