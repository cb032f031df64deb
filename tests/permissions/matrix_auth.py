"""Sign-in and sign-out."""
from tests.permissions.base import Route, expect

ROUTES = [
    Route("auth.sign_in", "GET", "/dang-nhap", expect(302, anonymous=200), note="signed-in users go home"),
    Route("auth.sign_in", "POST", "/dang-nhap", expect(302, anonymous=401),
          data={"email": "khong-ton-tai@example.vn", "password": "sai-mat-khau"},
          note="wrong credentials; signed-in users go home"),
    Route("auth.sign_out", "POST", "/dang-xuat", expect(302)),
]
