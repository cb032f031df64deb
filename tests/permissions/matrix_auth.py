"""Sign-in and sign-out: every role, the superadmin included."""
from tests.permissions.base import Route, expect

ROUTES = [
    Route("auth.sign_in", "GET", "/dang-nhap", expect(302, anonymous=200, superadmin=302), note="signed-in users go home"),
    Route("auth.sign_in", "POST", "/dang-nhap", expect(302, anonymous=401, superadmin=302),
          data={"email": "khong-ton-tai@example.vn", "password": "sai-mat-khau"},
          note="wrong credentials; signed-in users go home"),
    Route("auth.sign_out", "POST", "/dang-xuat", expect(302, superadmin=302)),
]
ROUTES += [
    Route("auth.change_password", "POST", "/ho-so/mat-khau", expect(302, superadmin=302),
          data={"current_password": "sai", "new_password": "matkhaumoi123", "confirm": "matkhaumoi123"},
          note="wrong current password: back to the profile, nothing changed"),
    Route("auth.forgot_password", "GET", "/quen-mat-khau", expect(200, anonymous=200, superadmin=200)),
    Route("auth.forgot_password", "POST", "/quen-mat-khau", expect(200, anonymous=200, superadmin=200),
          data={"email": "khong-ton-tai@example.vn"}, note="the same answer for any address"),
    Route("auth.reset_password", "GET", "/dat-lai-mat-khau/khong-co-ma-nay", expect(404, anonymous=404, superadmin=404)),
    Route("auth.reset_password", "POST", "/dat-lai-mat-khau/khong-co-ma-nay", expect(404, anonymous=404, superadmin=404),
          data={"new_password": "matkhaumoi123", "confirm": "matkhaumoi123"}),
]
