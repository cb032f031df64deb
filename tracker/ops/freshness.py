"""Conditional GET for the browsing pages: a page whose data has not changed is answered 304.

Every write bumps a version counter (`DataVersion`) in the same transaction: one per province
(tenant) whose rows changed, the national one (scope 0) always, and when the province of a change
cannot be told (a bulk statement, a row with no province of its own) the shared one (scope -1)
that every page depends on. A page's ETag hashes the versions it depends on (the shared one and
the user's province, or the national one for national users) with the user and their session,
the CSRF secret the page's forms carry, the URL, the day (lateness depends on it) and the code's
build. A browser revalidating a page it has (Cache-Control: no-cache) gets a 304 after one small
query, without the page being built again.

Only the read-only pages in PAGES take part; a response that carries a flashed message is not
tagged (the message is shown once).
"""
from __future__ import annotations

import hashlib
from pathlib import Path

from flask import Flask, g, request, session
from sqlalchemy import event, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from tracker.extensions import db

SHARED, NATIONAL = -1, 0
PAGES = frozenset({
    "dashboard.index", "updates.my_work", "updates.review_queue", "updates.edit", "plans.index", "plans.show",
    "items.show", "units.index", "units.show", "indicators.index", "indicators.show", "reports.index",
    "reports.show", "periods.index", "periods.show", "main.index",
})
# Bookkeeping rows that change none of PAGES: sign-in counters, the scheduler's beat, the queue, stored
# renders, the mail outbox's delivery marks (the in-app notifications do count: the menu shows them).
# Bookkeeping no page shows: the API's per-request rate-limit counter (api_token) would otherwise
# invalidate every page of the area on every API call.
IGNORED_TABLES = frozenset({"login_throttle", "scheduler_heartbeat", "job", "rendered_report", "campaign_form_render", "data_version",
                            "outbox_message", "api_token", "password_reset_token"})


class DataVersion(db.Model):
    """How many times the data of a scope (a province's id, 0 national, -1 shared) has changed."""

    __tablename__ = "data_version"

    scope: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    version: Mapped[int] = mapped_column(default=0)


# --- bumping --------------------------------------------------------------------------------------


def _tenant_of(connection, obj) -> int | None:
    """The province of a changed row: its own tenant_id, or its item's, unit's or plan's."""
    tenant = getattr(obj, "tenant_id", None)
    if tenant is not None:
        return tenant
    from tracker.plans.models import Plan, PlanItem
    from tracker.units.models import Unit

    for column, model in (("item_id", PlanItem), ("unit_id", Unit), ("plan_id", Plan)):
        key = getattr(obj, column, None)
        if key is not None:
            return connection.execute(select(model.tenant_id).where(model.id == key)).scalar()
    return None


def _bump(connection, scopes: set[int]) -> None:
    table = DataVersion.__table__
    if connection.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    for scope in sorted(scopes):  # one order: two writers never wait on each other's rows crosswise
        statement = insert(table).values(scope=scope, version=1)
        connection.execute(statement.on_conflict_do_update(index_elements=[table.c.scope],
                                                           set_={"version": table.c.version + 1}))


def _after_flush(session: Session, _context) -> None:
    changed = [obj for obj in (*session.new, *session.dirty, *session.deleted)
               if getattr(obj, "__tablename__", None) not in IGNORED_TABLES
               and (obj not in session.dirty or session.is_modified(obj, include_collections=False))]
    if not changed:
        return
    connection = session.connection()
    scopes = {NATIONAL}
    for obj in changed:
        tenant = _tenant_of(connection, obj)
        scopes.add(SHARED if tenant is None else tenant)
    _bump(connection, scopes)


def _on_execute(state) -> None:
    """Bulk INSERT/UPDATE/DELETE through the session (no objects to tell the province by)."""
    if not (state.is_insert or state.is_update or state.is_delete):
        return
    table = getattr(state.statement, "table", None)
    name = getattr(table, "name", None)
    if name is None or name in IGNORED_TABLES:
        return
    _bump(state.session.connection(), {SHARED, NATIONAL})


def register_listeners() -> None:
    if not event.contains(Session, "after_flush", _after_flush):
        event.listen(Session, "after_flush", _after_flush)
        event.listen(Session, "do_orm_execute", _on_execute)


# --- conditional GET ------------------------------------------------------------------------------


def build_id(root: Path) -> str:
    """Changes with the code and the templates; equal in every worker of one deployment."""
    digest = hashlib.sha256()
    for folder in ("tracker", "templates"):
        for path in sorted((root / folder).rglob("*")):
            if path.suffix in (".py", ".html", ".js", ".css"):
                digest.update(f"{path.relative_to(root)}:{path.stat().st_mtime_ns}".encode())
    return digest.hexdigest()[:16]


def data_versions(user) -> tuple[int, ...]:
    """The versions a user's pages depend on, read before the page reads its data."""
    scopes = [SHARED, NATIONAL if user.tenant_id is None else user.tenant_id]
    versions = dict(db.session.execute(select(DataVersion.scope, DataVersion.version)
                                       .where(DataVersion.scope.in_(scopes))).all())
    return tuple(versions.get(s, 0) for s in scopes)


def page_etag(user, versions: tuple[int, ...]) -> str:
    from tracker.core.time import today_local

    # The session's CSRF secret: the page's forms carry a token made from it (it may be created
    # while the first page is built, hence computed again after the request).
    # The scope too: a national viewer's page changes with the area chosen, not with any write.
    from tracker.areas.scope import current_scope

    scope = current_scope()
    areas = "*" if scope.tenant_ids is None else ",".join(map(str, sorted(scope.tenant_ids)))
    parts = [g.freshness_build, *versions, user.id, user.session_version, user.role, user.unit_id, areas,
             session.get("csrf_token", ""), request.full_path, today_local().isoformat()]
    return hashlib.sha256("|".join(map(str, parts)).encode()).hexdigest()[:32]


def init_app(app: Flask) -> None:
    register_listeners()
    build = build_id(Path(app.root_path).parent)

    @app.before_request
    def _conditional():
        from flask_login import current_user

        g.freshness_build = build
        g.page_versions = None
        if request.method not in ("GET", "HEAD") or request.endpoint not in PAGES:
            return None
        if not current_user.is_authenticated:
            return None
        # Read even when a message waits (the page is then neither answered 304 nor tagged): a page
        # costs the same queries either way.
        g.page_versions = data_versions(current_user)
        if "_flashes" in session:
            g.page_versions = None
            return None
        etag = page_etag(current_user, g.page_versions)
        if etag in request.if_none_match:
            db.session.rollback()
            response = app.response_class(status=304)
            response.set_etag(etag)
            response.headers["Cache-Control"] = "private, no-cache"
            return response
        return None

    @app.after_request
    def _tag(response):
        from flask_login import current_user

        versions = g.get("page_versions")
        if (versions is not None and response.status_code == 200 and response.mimetype == "text/html"
                and "_flashes" not in session and not response.direct_passthrough):
            response.set_etag(page_etag(current_user, versions))
            response.headers["Cache-Control"] = "private, no-cache"
        return response


def untagged() -> None:
    """This response shows something no data version follows (a render the background worker is
    still making: the job and the stored render are IGNORED_TABLES): neither tag it, nor answer it
    304 next time, nor keep its body."""
    g.page_versions = None


def shared_page_key(user, *parts, today=None) -> str | None:
    """A key for the part of a page built only from the data of the user's scope, the day and the
    user's role and area, shared by every user alike (tracker.core.fragments): None when the page's
    versions were not read (not one of PAGES, a flashed message waiting, the cache turned off).
    `today`: the day the part is built for, as the route read it (read again here, past midnight,
    yesterday's lateness would be kept as today's)."""
    from flask import current_app

    from tracker.areas.scope import current_scope
    from tracker.core.time import today_local

    versions = g.get("page_versions")
    if versions is None or not current_app.config.get("PAGE_FRAGMENT_CACHE", True):
        return None
    scope = current_scope()
    areas = "*" if scope.tenant_ids is None else ",".join(map(str, sorted(scope.tenant_ids)))
    key = [g.freshness_build, *versions, user.role, user.tenant_id, areas, request.endpoint, request.full_path,
           (today or today_local()).isoformat(), *parts]
    return hashlib.sha256("|".join(map(str, key)).encode()).hexdigest()
