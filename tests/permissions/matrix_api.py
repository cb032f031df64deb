"""The read API: a signed-in session is no credential (401 for every role: only an API token
reads, tests/api/); the OpenAPI document is public. The area's API tokens are the admin's."""
from tests.permissions.base import Route, expect

NO_TOKEN = expect(401, anonymous=401, superadmin=401)
PUBLIC = expect(200, anonymous=200, superadmin=200)


def a_token(scenario):
    from tracker.api.tokens import create_token

    token, _ = create_token(scenario["objects"]["area"], "Khóa ma trận")
    return {"token": token.id}


ROUTES = [
    Route("api.openapi_document", "GET", "/api/v1/openapi.json", PUBLIC),
    Route("api.plans", "GET", "/api/v1/plans", NO_TOKEN),
    Route("api.plan", "GET", "/api/v1/plans/{plan}", NO_TOKEN),
    Route("api.figures", "GET", "/api/v1/plans/{plan}/figures?period={period}", NO_TOKEN),
    Route("api.points_at_risk", "GET", "/api/v1/plans/{plan}/points-at-risk", NO_TOKEN),
    Route("api.items", "GET", "/api/v1/items", NO_TOKEN),
    Route("api.item", "GET", "/api/v1/items/{item_own}", NO_TOKEN),
    Route("api.periods", "GET", "/api/v1/periods", NO_TOKEN),
    Route("api.completeness", "GET", "/api/v1/periods/{period}/completeness", NO_TOKEN),
    Route("api.indicator_links", "GET", "/api/v1/indicator-links", NO_TOKEN),
    Route("admin.api_tokens", "GET", "/quan-tri/khoa-api", expect(403, admin=200)),
    Route("admin.api_token_new", "POST", "/quan-tri/khoa-api", expect(403, admin=200),
          data={"name": "Hệ thống báo cáo tỉnh"}),
    Route("admin.api_token_revoke", "POST", "/quan-tri/khoa-api/{token}/thu-hoi", expect(403, admin=302),
          setup=a_token),
]
