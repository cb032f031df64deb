"""Calendar: feeds are reached by their secret token alone (no session); the profile, token
changes and one-off downloads need a sign-in; a unit's feed token is managed (created, rotated,
revoked) by its own reporters and the admin. A user's own profile and feed are everyone's, the
superadmin's too; one-off deadline downloads are the area's readers'."""
from tests.permissions.base import Route, expect
from tracker.extensions import db


def user_token(scenario):
    token = scenario["objects"]["user_other"].regenerate_calendar_token()
    db.session.flush()
    return {"user_token": token}


def unit_token(scenario):
    from tracker.calendar.services import regenerate_unit_token

    unit = scenario["objects"]["unit_own"]
    return {"unit_token": regenerate_unit_token(unit, actor=scenario["objects"]["users"]["admin"])}


ROUTES = [
    Route("calendar.user_feed", "GET", "/lich/{user_token}.ics", expect(200, anonymous=200, superadmin=200), setup=user_token),
    Route("calendar.user_feed", "GET", "/lich/khong-co-ma-nay.ics", expect(404, anonymous=404, superadmin=404),
          note="unknown or revoked token"),
    Route("calendar.unit_feed", "GET", "/lich/don-vi/{unit_token}.ics", expect(200, anonymous=200, superadmin=200),
          setup=unit_token),
    Route("calendar.unit_feed", "GET", "/lich/don-vi/khong-co-ma-nay.ics", expect(404, anonymous=404, superadmin=404),
          note="unknown or revoked token"),
    Route("calendar.profile", "GET", "/ho-so", expect(200, superadmin=200)),
    Route("calendar.regenerate_token", "POST", "/ho-so/lich/tao-lai", expect(302, superadmin=302)),
    Route("calendar.revoke_token", "POST", "/ho-so/lich/thu-hoi", expect(302, superadmin=302)),
    Route("calendar.regenerate_unit_token", "POST", "/ho-so/lich-don-vi/{unit_own}/tao-lai",
          expect(403, admin=302, reporter_own=302)),
    Route("calendar.revoke_unit_token", "POST", "/ho-so/lich-don-vi/{unit_own}/thu-hoi",
          expect(403, admin=302, reporter_own=302), setup=unit_token),
    Route("calendar.deadline_ics", "GET", "/lich/han/nop/{period}.ics", expect(200), note="submission"),
    Route("calendar.deadline_ics", "GET", "/lich/han/tong-hop/{period}.ics", expect(200), note="consolidated"),
    Route("calendar.deadline_ics", "GET", "/lich/han/hang-muc/{item_own}.ics", expect(200), note="item"),
]
