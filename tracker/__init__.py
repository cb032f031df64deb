"""The tracker application factory."""
from __future__ import annotations

import os

from flask import Flask, render_template, request

from config import DEV_SECRET_KEY, DevelopmentConfig, ProductionConfig, TestConfig
from tracker.extensions import csrf, db, login_manager, migrate

CONFIGS = {"development": DevelopmentConfig, "production": ProductionConfig, "test": TestConfig}


def create_app(config_class=None) -> Flask:
    if config_class is None:
        # Production unless told otherwise: a forgotten setting must not run a server in debug mode.
        config_class = CONFIGS[os.environ.get("TRACKER_ENV", "production")]
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    app = Flask(
        __name__,
        template_folder=os.path.join(root, "templates"),
        instance_path=os.path.join(root, "instance"),
        instance_relative_config=True,
    )
    app.config.from_object(config_class)
    check_secret_key(app)
    os.makedirs(app.instance_path, exist_ok=True)
    register_security(app)
    register_extensions(app)
    register_models()
    register_event_handlers()
    register_scoping(app)
    register_blueprints(app)
    register_template_helpers(app)
    register_errorhandlers(app)
    register_commands(app)
    register_observability(app)
    register_freshness(app)
    return app


def check_secret_key(app: Flask) -> None:
    key = app.config.get("SECRET_KEY")
    if not isinstance(key, (str, bytes)) or not key.strip():
        # An empty key would start and then fail every page that signs a cookie.
        raise RuntimeError("SECRET_KEY rỗng: đặt biến môi trường SECRET_KEY là một chuỗi bí mật dài, ngẫu nhiên.")
    if key == DEV_SECRET_KEY and not (app.debug or app.testing):
        raise RuntimeError("SECRET_KEY chưa được đặt: không khởi động ở chế độ production với khóa mặc định.")


def register_security(app: Flask) -> None:
    """Bounded ids in URLs, security headers on every response, the client address behind a proxy.
    Before the blueprints: the id converter must be known when their routes are added."""
    from tracker.core.security import register

    register(app)


def register_extensions(app: Flask) -> None:
    db.init_app(app)
    from tracker.core import unit_of_work

    unit_of_work.init_app(app)  # first registered: its after_request runs last
    # Batch mode lets Alembic alter tables on SQLite too; one migration chain serves both backends.
    migrate.init_app(
        app, db, directory=os.path.join(app.root_path, os.pardir, "migrations"), render_as_batch=True, compare_type=True
    )
    login_manager.init_app(app)
    csrf.init_app(app)


def register_models() -> None:
    """Import every model module so that metadata (and Alembic) sees all tables."""
    from tracker import models  # noqa: F401
    from tracker.areas.tenancy import register_tenancy

    register_tenancy()


def register_event_handlers() -> None:
    """Domain-event subscribers, in one place (tracker/core/events.py)."""
    from tracker.notify.subscriptions import register_subscriptions

    register_subscriptions()


def register_scoping(app: Flask) -> None:
    """Every query sees only the signed-in user's areas (tracker/areas/scope.py)."""
    from tracker.areas.scope import register_scoping as register

    register(app)


def register_blueprints(app: Flask) -> None:
    from tracker.blueprints import BLUEPRINTS

    for blueprint in BLUEPRINTS:
        app.register_blueprint(blueprint)


def register_template_helpers(app: Flask) -> None:
    from tracker.core import formatting
    from tracker.core.public_text import document_source, public_text
    from tracker.core.templating import template_globals

    app.jinja_env.filters.update(
        public_text=public_text,
        document_source=document_source,
        money=formatting.format_money,
        number=formatting.format_number,
        percent=formatting.format_percent,
        vndate=formatting.format_date,
        vndatetime=formatting.format_datetime,
    )
    app.context_processor(template_globals)
    # Templates ask the permission policy (`policy.can_review(current_user)`), never compare roles.
    from tracker.auth import policy

    app.jinja_env.globals["policy"] = policy


def register_errorhandlers(app: Flask) -> None:
    messages = {
        400: "Yêu cầu không hợp lệ.",
        403: "Bạn không có quyền thực hiện thao tác này.",
        404: "Không tìm thấy trang hoặc dữ liệu được yêu cầu.",
        405: "Phương thức không được hỗ trợ.",
        409: "Dữ liệu đã bị người khác thay đổi.",
        413: "Tệp tải lên vượt quá dung lượng cho phép.",
        429: "Quá nhiều lần thử. Vui lòng thử lại sau.",
        500: "Đã xảy ra lỗi hệ thống. Vui lòng thử lại sau.",
    }

    def render_error(error):
        code = getattr(error, "code", 500) or 500
        if request.path.startswith("/api/"):  # the API answers JSON, even for a URL it does not know
            from tracker.api.errors import error_response

            return error_response(code)
        return render_template("errors.html", code=code, message=messages.get(code, "")), code

    for code in messages:
        app.register_error_handler(code, render_error)


def register_freshness(app: Flask) -> None:
    """ETag and 304 for the browsing pages whose data has not changed (tracker/ops/freshness.py)."""
    from tracker.ops.freshness import init_app

    init_app(app)


def register_observability(app: Flask) -> None:
    from tracker.ops.observability import init_app

    init_app(app)


def register_commands(app: Flask) -> None:
    from tracker.cli import tracker_cli

    app.cli.add_command(tracker_cli)
