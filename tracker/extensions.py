"""Flask extensions, created unbound here and initialised in `create_app`."""
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase


class Base(DeclarativeBase):
    # Named constraints, so that Alembic migrations can drop them on every backend.
    metadata = MetaData(
        naming_convention={
            "ix": "ix_%(column_0_label)s",
            "uq": "uq_%(table_name)s_%(column_0_N_name)s",
            "ck": "ck_%(table_name)s_%(constraint_name)s",
            "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
            "pk": "pk_%(table_name)s",
        }
    )


class TrackerSQLAlchemy(SQLAlchemy):
    def get_or_404(self, entity, ident, *, description=None):
        """404 also for an object outside the current tenant scope: `Session.get` answers from the
        identity map without SQL, so the session's tenant criteria alone would not stop it."""
        from flask import abort

        from tracker.areas.scope import current_scope

        value = self.session.get(entity, ident)
        if value is None or not current_scope().allows(value):
            abort(404, description=description)
        return value


db = TrackerSQLAlchemy(model_class=Base)
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
