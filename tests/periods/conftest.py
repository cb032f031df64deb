import pytest

from tests.updates.world import build_world


@pytest.fixture
def world(factory):
    return build_world(factory)


@pytest.fixture
def as_user(client, login):
    """Sign the test client in as `user`, signing out whoever was signed in."""

    def _as(user):
        client.post("/dang-xuat")
        return login(user)

    return _as
