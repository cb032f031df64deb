"""Sign-in and sign-out."""
import hmac
from urllib.parse import urljoin, urlsplit

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required, login_user, logout_user
from flask_wtf.csrf import CSRFError

from tracker.auth.forms import SignInForm
from tracker.auth.models import User
from tracker.auth.services import authenticate
from tracker.core.time import utcnow
from tracker.extensions import db, login_manager

bp = Blueprint("auth", __name__)

login_manager.login_view = "auth.sign_in"
login_manager.login_message = "Vui lòng đăng nhập để tiếp tục."
login_manager.login_message_category = "warning"


@login_manager.user_loader
def load_user(session_id: str):
    user_id, _, fingerprint = session_id.partition(".")
    if not user_id.isdigit():
        return None
    user = db.session.get(User, int(user_id))
    if user is None or not hmac.compare_digest(fingerprint, user.session_fingerprint):
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
    status = 200
    if form.validate_on_submit():
        user, error = authenticate(
            form.email.data,
            form.password.data,
            now=utcnow(),
            max_failures=current_app.config["LOGIN_MAX_FAILURES"],
            lockout_seconds=current_app.config["LOGIN_LOCKOUT_SECONDS"],
        )
        db.session.commit()
        if user is not None:
            login_user(user, remember=form.remember.data)
            return redirect(safe_next(request.args.get("next")) or url_for("main.index"))
        flash(error, "error")
        status = 429 if "quá nhiều lần" in error else 401
    elif request.method == "POST":
        status = 400
    return render_template("auth/sign_in.html", form=form), status


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
    logout_user()
    flash("Bạn đã đăng xuất.", "success")
    return redirect(url_for("auth.sign_in"))
