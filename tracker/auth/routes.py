"""Sign-in and sign-out."""
import hmac
from urllib.parse import urljoin, urlsplit

from flask import Blueprint, current_app, flash, make_response, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required, login_user, logout_user
from flask_wtf.csrf import CSRFError
from sqlalchemy import bindparam, select
from sqlalchemy.orm import joinedload

from tracker.areas.scope import SYSTEM, using
from tracker.auth import devices, throttle
from tracker.auth.forms import SignInForm
from tracker.auth.models import User
from tracker.reminders.notifications import unread_count_of_user
from tracker.units.models import Area
from tracker.auth.services import check_credentials
from tracker.core import unit_of_work
from tracker.core.time import utcnow
from tracker.extensions import db, login_manager

bp = Blueprint("auth", __name__)

login_manager.login_view = "auth.sign_in"
login_manager.login_message = "Vui lòng đăng nhập để tiếp tục."
login_manager.login_message_category = "warning"


# What every page's navigation shows, in the request's one query: the user with their unit and
# area (and the area's renamings, for its current name), and their unread notifications count.
# Built once: a statement reused keeps its cache key (SQLAlchemy memoizes it), so each request pays
# for the SQL only, not for building and keying the statement again.
SIGNED_IN_USER = (
    select(User, unread_count_of_user())
    .where(User.id == bindparam("user_id"))
    .options(joinedload(User.unit), joinedload(User.tenant).joinedload(Area.names))
)
# In the request's environ (never g, which may outlive a request): (user id, count) as read.
PRELOADED_UNREAD = "tracker.unread_notifications"


@login_manager.user_loader
def load_user(session_id: str):
    """Every request: the session (or remember-me cookie) must name the user's current session
    version and password, and the user must still be active."""
    user_id, _, rest = session_id.partition(".")
    version, _, fingerprint = rest.partition(".")
    if not (user_id.isdigit() and version.isdigit()) or len(user_id) > 18:
        return None
    row = db.session.execute(SIGNED_IN_USER, {"user_id": int(user_id)}).unique().first()
    user = row[0] if row is not None else None
    if user is not None:
        request.environ[PRELOADED_UNREAD] = (user.id, row[1])
    if user is None or not user.active or not hmac.compare_digest(version, str(user.session_version)):
        return None
    if not hmac.compare_digest(fingerprint, user.session_fingerprint):
        return None
    return user


def safe_next(target: str | None) -> str | None:
    """Only a path on this site: never another host, scheme or protocol-relative URL."""
    if not target:
        return None
    target = target.replace("\\", "/")
    parts = urlsplit(urljoin(request.host_url, target))
    host = urlsplit(request.host_url)
    if parts.scheme != host.scheme or parts.netloc != host.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


@bp.route("/dang-nhap", methods=["GET", "POST"])
def sign_in():
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    form = SignInForm()
    if not form.validate_on_submit():
        return render_template("auth/sign_in.html", form=form), 400 if request.method == "POST" else 200
    config = current_app.config
    now = utcnow()
    email = throttle.normalise_email(form.email.data)
    known = devices.is_known(request.cookies.get(devices.COOKIE), config["SECRET_KEY"], email)
    attempt = throttle.reserve(email, request.remote_addr or "-", now, throttle.Limits.from_config(config),
                               known_device=known)
    # Committed before the (slow) password check, so that attempts arriving together see each
    # other's count: the unit of work's one documented early commit (tracker/core/unit_of_work.py).
    unit_of_work.commit_now()
    if not attempt.allowed:
        flash(f"Đăng nhập sai quá nhiều lần. Vui lòng thử lại sau khoảng {throttle.wait_text(attempt.wait)}.", "error")
        response = make_response(render_template("auth/sign_in.html", form=form), 429)
        response.headers["Retry-After"] = str(attempt.wait)
        return response
    with using(SYSTEM):  # an anonymous visitor: the account is looked up in every area
        user = check_credentials(email, form.password.data, now=now)
    if user is None:
        flash("Email hoặc mật khẩu không đúng.", "error")
        return render_template("auth/sign_in.html", form=form), 401
    throttle.succeeded(attempt)  # committed by the unit of work with the rest of the sign-in
    login_user(user, remember=form.remember.data)
    response = redirect(safe_next(request.args.get("next")) or url_for("main.index"))
    devices.remember(response, request.cookies.get(devices.COOKIE), config["SECRET_KEY"], email,
                     secure=config["SESSION_COOKIE_SECURE"], days=config["LOGIN_DEVICE_COOKIE_DAYS"])
    return response


@bp.errorhandler(CSRFError)
def session_expired(error):
    """The form outlived its session (browser restarted, cookie cleared): say so, and let the user
    simply try again, rather than the bare "Yêu cầu không hợp lệ." page."""
    flash("Phiên làm việc đã hết hạn. Vui lòng đăng nhập lại.", "warning")
    if request.endpoint != "auth.sign_in" or current_user.is_authenticated:
        return redirect(url_for("auth.sign_in"))
    return render_template("auth/sign_in.html", form=SignInForm()), 400  # the email typed stays


@bp.post("/dang-xuat")
@login_required
def sign_out():
    """Ends the session on the server: the user's session version moves on, so this session and
    any remember-me cookie (captured or not) open nothing any more, on every device."""
    current_user.end_sessions()  # committed by the unit of work (a redirect: success)
    logout_user()
    session.clear()
    session["_remember"] = "clear"  # flask-login deletes the remember-me cookie on the way out
    flash("Bạn đã đăng xuất.", "success")
    return redirect(url_for("auth.sign_in"))
from tracker.auth import password_routes as _password_routes  # noqa: E402,F401
