"""Sign-in and sign-out: every role, the superadmin included."""
from tests.permissions.base import Route, expect

ROUTES = [
    Route("auth.sign_in", "GET", "/dang-nhap", expect(302, anonymous=200, superadmin=302), note="signed-in users go home"),
    Route("auth.sign_in", "POST", "/dang-nhap", expect(302, anonymous=401, superadmin=302),
          data={"email": "khong-ton-tai@example.vn", "password": "sai-mat-khau"},
          note="wrong credentials; signed-in users go home"),
    Route("auth.sign_out", "POST", "/dang-xuat", expect(302, superadmin=302)),
]
