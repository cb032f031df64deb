"""Operations: the health check answers everyone, signed in or not (what it shows: tests/ops/test_health.py)."""
from tests.permissions.base import Route, expect


def _fresh_heartbeat(scenario):
    from tracker.ops.jobs import record_heartbeat

    record_heartbeat()
    return {}


ROUTES = [
    Route("ops.health", "GET", "/healthz", expect(200, anonymous=200, superadmin=200), setup=_fresh_heartbeat,
          note="healthy"),
    Route("ops.health", "GET", "/healthz", expect(503, anonymous=503, superadmin=503),
          note="no heartbeat: unhealthy, never a sign-in"),
]
