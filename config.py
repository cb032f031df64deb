"""Configuration classes, read from environment variables.

`DATABASE_URL` defaults to an SQLite file under `instance/`; production uses PostgreSQL
(`postgresql+psycopg://user@host/db`).
"""
import os
from datetime import timedelta
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
# Only for development and tests: production refuses to start with it (see create_app).
DEV_SECRET_KEY = "dev-only-change-me"


def _env_int(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


def _env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _database_url(name: str, default: str) -> str:
    url = os.environ.get(name, default)
    # Heroku-style URLs name the driver "postgres"; SQLAlchemy wants an explicit driver.
    if url.startswith("postgres://"):
        url = "postgresql+psycopg://" + url[len("postgres://"):]
    elif url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    return url


class Config:
    # Rendered parts of the aggregate pages kept per process, keyed by the data versions (tracker/core/fragments.py).
    PAGE_FRAGMENT_CACHE = True
    SECRET_KEY = os.environ.get("SECRET_KEY", DEV_SECRET_KEY)
    SQLALCHEMY_DATABASE_URI = _database_url(
        "DATABASE_URL", f"sqlite:///{BASE_DIR / 'instance' / 'tracker.sqlite3'}"
    )
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    SEED_PLANS_DIR = os.environ.get("SEED_PLANS_DIR", str(BASE_DIR / "seed_plans"))

    # Sessions and forms
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = _env_bool("SESSION_COOKIE_SECURE", False)
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SECURE = SESSION_COOKIE_SECURE
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_DURATION = timedelta(days=14)
    WTF_CSRF_TIME_LIMIT = None
    # Strict-Transport-Security max-age; production only (a development server has no HTTPS).
    HSTS_SECONDS = 0

    # Sign-in throttling (tracker/auth/throttle.py): free failures per account at one address, per
    # address, per account; then a wait of LOGIN_LOCKOUT_SECONDS, doubled with each further failure.
    LOGIN_MAX_FAILURES = _env_int("LOGIN_MAX_FAILURES", 5)
    LOGIN_ADDRESS_MAX_FAILURES = _env_int("LOGIN_ADDRESS_MAX_FAILURES", 20)
    LOGIN_ACCOUNT_MAX_FAILURES = _env_int("LOGIN_ACCOUNT_MAX_FAILURES", 50)
    LOGIN_LOCKOUT_SECONDS = _env_int("LOGIN_LOCKOUT_SECONDS", 300)
    LOGIN_MAX_LOCKOUT_SECONDS = _env_int("LOGIN_MAX_LOCKOUT_SECONDS", 3600)
    LOGIN_THROTTLE_FORGET_SECONDS = _env_int("LOGIN_THROTTLE_FORGET_SECONDS", 86400)
    LOGIN_DEVICE_COOKIE_DAYS = _env_int("LOGIN_DEVICE_COOKIE_DAYS", 365)
    # Behind a reverse proxy: how many proxies' X-Forwarded-For to trust for the client address.
    PROXY_FIX_X_FOR = _env_int("PROXY_FIX_X_FOR", 0)

    # Evidence files
    UPLOAD_DIR = os.environ.get("UPLOAD_DIR", str(BASE_DIR / "instance" / "uploads"))
    MAX_CONTENT_LENGTH = _env_int("MAX_UPLOAD_MB", 20) * 1024 * 1024
    ALLOWED_EVIDENCE_EXTENSIONS = {
        "pdf", "doc", "docx", "xls", "xlsx", "ppt", "pptx", "odt", "ods", "odp",
        "png", "jpg", "jpeg", "gif", "webp", "tif", "tiff", "txt", "csv", "zip",
    }

    # Reporting calendar (defaults; an admin may override them per period).
    TIMEZONE = "Asia/Ho_Chi_Minh"
    # Agencies submit this many days after the data cut-off (the 14th of the quarter's last month).
    SUBMISSION_DAYS_AFTER_CUTOFF = _env_int("SUBMISSION_DAYS_AFTER_CUTOFF", 4)
    # Sở KH&CN sends the consolidated report this many days after the agencies' deadline.
    CONSOLIDATED_DAYS_AFTER_SUBMISSION = _env_int("CONSOLIDATED_DAYS_AFTER_SUBMISSION", 5)
    REMINDER_DAYS_BEFORE = [7, 3, 1]
    OVERDUE_EVERY_DAYS = 3
    ESCALATE_AFTER_DAYS = 7
    SCHEDULER_HOUR = _env_int("SCHEDULER_HOUR", 7)
    # Overdue notices stop this long after a deadline if nobody closes the period.
    OVERDUE_MAX_DAYS = _env_int("OVERDUE_MAX_DAYS", 90)
    # The scheduler delivers pending mail from the outbox this often.
    OUTBOX_DELIVERY_MINUTES = _env_int("OUTBOX_DELIVERY_MINUTES", 5)
    # Calendar UIDs end in this domain: keep it stable, or subscribed calendars duplicate events.
    CALENDAR_UID_DOMAIN = os.environ.get("CALENDAR_UID_DOMAIN", "tracker")

    # Mail
    MAIL_SERVER = os.environ.get("MAIL_SERVER", "localhost")
    MAIL_PORT = _env_int("MAIL_PORT", 25)
    MAIL_USE_TLS = _env_bool("MAIL_USE_TLS", False)
    MAIL_USE_SSL = _env_bool("MAIL_USE_SSL", False)
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME")
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD")
    MAIL_DEFAULT_SENDER = os.environ.get(
        "MAIL_DEFAULT_SENDER", "Hệ thống theo dõi chuyển đổi số <no-reply@localhost>"
    )
    MAIL_SUPPRESS_SEND = _env_bool("MAIL_SUPPRESS_SEND", False)
    # When set, mail is written there as .eml files instead of being sent (development).
    MAIL_FILE_DIR = os.environ.get("MAIL_FILE_DIR")
    # Links in emails and calendar feeds point here.
    BASE_URL = os.environ.get("BASE_URL", "http://127.0.0.1:5000")  # `make run` sets it from HOST and PORT
    # A password reset link works once, for this long.
    PASSWORD_RESET_MINUTES = _env_int("PASSWORD_RESET_MINUTES", 60)

    # Operations: logs, the health check (/healthz) and the scheduler's heartbeat it reads.
    LOG_FORMAT = os.environ.get("LOG_FORMAT", "text")  # "json": one JSON object per line on stderr
    LOG_LEVEL = os.environ.get("LOG_LEVEL", "INFO")
    SCHEDULER_HEARTBEAT_SECONDS = _env_int("SCHEDULER_HEARTBEAT_SECONDS", 60)
    HEALTH_HEARTBEAT_MAX_AGE_SECONDS = _env_int("HEALTH_HEARTBEAT_MAX_AGE_SECONDS", 300)
    # Mail due for longer than this means delivery is not running.
    HEALTH_OUTBOX_MAX_DELAY_MINUTES = _env_int("HEALTH_OUTBOX_MAX_DELAY_MINUTES", 30)

    # The read API (/api/v1): requests per token per fixed window (tracker/api/routes.py).
    API_RATE_LIMIT = _env_int("API_RATE_LIMIT", 120)
    API_RATE_WINDOW_SECONDS = _env_int("API_RATE_WINDOW_SECONDS", 60)

    # Processes that render the parts of a long report's PDF in the job runner (the scheduler
    # process, tracker/reports/pdfparts.py): one per core; 0 or 1 renders every PDF in one piece.
    REPORT_PDF_PROCESSES = _env_int("REPORT_PDF_PROCESSES", os.cpu_count() or 1)

    # No setting decides a report's header: each area's administrator keeps its report profile
    # (Quản trị › Mẫu tiêu đề báo cáo), and the area's name on the report date gives the rest.


class DevelopmentConfig(Config):
    DEBUG = True
    # Without a mail server configured, `make run` keeps reminders as files to read.
    MAIL_FILE_DIR = os.environ.get("MAIL_FILE_DIR") or (
        None if os.environ.get("MAIL_SERVER") else str(BASE_DIR / "instance" / "mail")
    )


class ProductionConfig(Config):
    LOG_FORMAT = os.environ.get("LOG_FORMAT", "json")
    SESSION_COOKIE_SECURE = _env_bool("SESSION_COOKIE_SECURE", True)
    REMEMBER_COOKIE_SECURE = SESSION_COOKIE_SECURE
    HSTS_SECONDS = _env_int("HSTS_SECONDS", 365 * 24 * 3600)


class TestConfig(Config):
    TESTING = True
    # Every test rolls its data back, version counters included: a kept part could outlive its data.
    # The tests of the cache turn it on and clear it (tests/core/test_fragments.py).
    PAGE_FRAGMENT_CACHE = False
    REPORT_PDF_PROCESSES = 0  # tests ask for the parallel render explicitly (tests/reports/test_pdf_parts.py)
    SECRET_KEY = "test"
    SQLALCHEMY_DATABASE_URI = _database_url("TEST_DATABASE_URL", "sqlite://")
    WTF_CSRF_ENABLED = False
    MAIL_SUPPRESS_SEND = True
    MAIL_FILE_DIR = None
    LOGIN_LOCKOUT_SECONDS = 60
    LOGIN_ADDRESS_MAX_FAILURES = 10
    LOGIN_ACCOUNT_MAX_FAILURES = 20
    SERVER_NAME = "tracker.test"
    BASE_URL = "http://tracker.test"
