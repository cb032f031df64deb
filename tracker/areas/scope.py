"""Which areas (tenants) a piece of work may see: the one place where tenant scoping happens.

A `Scope` names the tenants visible (`tenant_ids`, None = every area) and whether writing is
allowed (`read_only`). It is resolved once per web request from the signed-in user
(`scope_for_user`, in a `before_request` hook) and applied by a session-level safety net: a
`do_orm_execute` listener adds `with_loader_criteria` to every ORM SELECT, UPDATE and DELETE
(relationship lazy loads and eager selectin loads included) for each covered model whose table the
statement names anywhere (FROM, joins, subqueries, EXISTS) and for the covered targets of their
`lazy="joined"` relationships, so services write ordinary queries and never repeat `tenant_id ==`
conditions.

Which models are covered, found automatically when the mappers are configured (nothing to
register, so new models are covered as they are written):

* **Tenant-owned**: every mapped class with a `tenant_id` column (units, unit groups, plans,
  items, users, periods, frameworks, report profiles, audit entries, areas, and any new one).
  A NULL tenant is hidden from an area's scope, except for the tables of `SHARED_WHEN_NULL`
  (national frameworks such as the DTI and the country-level areas, which every area reads).
* **Children**: a class without `tenant_id` that has a NOT NULL foreign key to a covered class
  takes that parent's tenant, the first such column in table order (an item's updates,
  contributions, assignments, reassignments and indicator links follow the item; evidence follows
  its update; late exceptions follow the period; indicators, their inputs and providers follow the
  framework; report drafts and issued reports follow the plan; unit aliases and calendar tokens the
  unit; group members the group; area names the area; notices, notifications and outbox messages
  their user). A class may say otherwise with `__tenant_parent__ = "<fk column>"`, or
  `__tenant_parent__ = None` to stay unscoped. Classes with neither (sign-in throttle, scheduler
  heartbeat, data issues without a plan) are not tenant data.

Where the scope comes from (`current_scope()`):

1. inside `with using(scope):` — that scope (jobs run each tenant's work under its own scope;
   anonymous pages that must read tenant data, such as sign-in looking a user up by email or a
   calendar feed looking its token up, say `using(SYSTEM)` for that lookup only);
2. inside a web request — the scope resolved for the signed-in user; **a request without one sees
   nothing tenant-owned** (`NOTHING`), the anonymous visitor included;
3. outside any request (CLI commands, the scheduler, `flask shell`, tests' own set-up) — `SYSTEM`.

`Session.get` and relationship loads answer from the identity map without SQL, so they escape the
criteria when an object was loaded under a wider scope: `db.get_or_404` (tracker/extensions.py)
and `get_in_scope` re-check the object's tenant with `Scope.allows`.

A read-only scope (the national viewer) gets 403 on every non-GET request except the personal
ones of `READ_ONLY_EXEMPT` (sign-out, the area chooser, the user's own calendar link...).
"""
from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from functools import lru_cache

from flask import abort, g, has_request_context, request, session
from sqlalchemy import event, false, or_, select
from sqlalchemy.orm import Session, object_session, with_loader_criteria

# Tables whose NULL tenant means "national, shared by every area".
SHARED_WHEN_NULL = frozenset({"framework", "area"})

# Non-GET endpoints a read-only scope may still call: they change only the user's own session,
# preferences or calendar link, never an area's data.
READ_ONLY_EXEMPT = frozenset({
    "auth.sign_in", "auth.sign_out", "areas.choose_area",
    "calendar.regenerate_token", "calendar.revoke_token",
    "notifications.preferences", "notifications.mark_read", "notifications.mark_all_read",
    "notifications.workflow_mail",  # one's own e-mail choice for review notices
    "auth.change_password", "auth.forgot_password", "auth.reset_password",  # one's own password
})

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

# The national viewer's chosen area (the overview's drill-down), kept in the Flask session.
SESSION_AREA_KEY = "national_area_id"


@dataclass(frozen=True)
class Scope:
    """`tenant_ids`: the visible tenants (area ids); None means every area. `read_only`: no writes."""

    tenant_ids: frozenset[int] | None
    read_only: bool = False

    @classmethod
    def of(cls, *tenant_ids: int, read_only: bool = False) -> Scope:
        return cls(frozenset(int(t) for t in tenant_ids if t is not None), read_only)

    @property
    def every_area(self) -> bool:
        return self.tenant_ids is None

    def allows_tenant(self, tenant_id: int | None, *, shared_when_null: bool = False) -> bool:
        if self.tenant_ids is None:
            return True
        if tenant_id is None:
            return shared_when_null
        return tenant_id in self.tenant_ids

    def allows(self, obj) -> bool:
        """Whether a loaded object (tenant-owned, a child, or neither) is inside this scope."""
        if self.tenant_ids is None or obj is None:
            return True
        spec = _specs().get(type(obj))
        if spec is None:
            return True
        if spec.parent is None:
            return self.allows_tenant(getattr(obj, "tenant_id"), shared_when_null=spec.shared_when_null)
        parent_id = getattr(obj, spec.fk_attr)
        if parent_id is None:
            return False
        sess = object_session(obj)
        if sess is None:
            return False
        with using(SYSTEM):
            parent = sess.get(spec.parent, parent_id)
        return parent is not None and self.allows(parent)


SYSTEM = Scope(None, False)  # everything: CLI commands, scheduled jobs' set-up, migrations, shell
NOTHING = Scope(frozenset(), True)  # the anonymous visitor, a request whose user has no area


def scope_for_user(user, *, chosen_tenant_id: int | None = None) -> Scope:
    """The scope of a signed-in user. An area's users see their area; the superadmin every area;
    the national viewer every area read-only, or the one area it chose on the overview."""
    from tracker.auth.models import Role

    if user is None or not getattr(user, "is_authenticated", False):
        return NOTHING
    if user.role == Role.SUPERADMIN:
        return SYSTEM
    if user.role == Role.NATIONAL_VIEWER:
        if chosen_tenant_id is not None:
            return Scope.of(chosen_tenant_id, read_only=True)
        return Scope(None, True)
    if user.tenant_id is None:
        return NOTHING
    return Scope.of(user.tenant_id)


def tenant_scope(tenant_id: int, *, read_only: bool = False) -> Scope:
    """One tenant's scope (a job's pass over one area)."""
    return Scope.of(tenant_id, read_only=read_only)


_override: ContextVar[Scope | None] = ContextVar("tracker_scope_override", default=None)
_G_KEY = "_tracker_scope"


def current_scope() -> Scope:
    scope = _override.get()
    if scope is not None:
        return scope
    if has_request_context():
        return g.get(_G_KEY) or NOTHING
    return SYSTEM


@contextmanager
def using(scope: Scope):
    """Run a block under `scope` (nested blocks restore the outer one)."""
    token = _override.set(scope)
    try:
        yield scope
    finally:
        _override.reset(token)


def get_in_scope(entity, ident):
    """`session.get` that answers None for an object outside the current scope (even one already
    in the identity map)."""
    from tracker.extensions import db

    obj = db.session.get(entity, ident)
    return obj if obj is not None and current_scope().allows(obj) else None


# --- Which models, and their criteria ------------------------------------------------------------
@dataclass(frozen=True)
class _Spec:
    cls: type
    shared_when_null: bool = False
    parent: type | None = None  # for a child: the covered class its foreign key points to
    fk_attr: str | None = None  # the child's attribute holding that key


_SPECS: dict[type, _Spec] | None = None


def _specs() -> dict[type, _Spec]:
    global _SPECS
    if _SPECS is None:
        _SPECS = _discover()
    return _SPECS


def _discover() -> dict[type, _Spec]:
    from tracker.extensions import db

    mappers = [m for m in db.Model.registry.mappers if m.local_table is not None and not m.inherits]
    by_table = {m.local_table.name: m for m in mappers}
    specs: dict[type, _Spec] = {}
    for mapper in mappers:
        if "tenant_id" in mapper.local_table.c and "tenant_id" in mapper.columns:
            specs[mapper.class_] = _Spec(mapper.class_, shared_when_null=mapper.local_table.name in SHARED_WHEN_NULL)
    # Children, possibly of children: repeat until nothing new is found.
    changed = True
    while changed:
        changed = False
        for mapper in mappers:
            cls = mapper.class_
            if cls in specs:
                continue
            declared = cls.__dict__.get("__tenant_parent__", ...)
            if declared is None:
                continue
            for column in mapper.local_table.columns:
                if declared is not ... and column.name != declared:
                    continue
                if column.nullable and declared is ...:
                    continue
                targets = [fk.column.table.name for fk in column.foreign_keys]
                parent = by_table.get(targets[0]).class_ if targets and targets[0] in by_table else None
                if parent is None or parent not in specs:
                    continue
                attr = mapper.get_property_by_column(column).key
                specs[cls] = _Spec(cls, parent=parent, fk_attr=attr)
                changed = True
                break
    return specs


def covered_models() -> dict[type, str]:
    """Every covered class and how: "tenant_id", or the foreign key it follows (for docs, tests)."""
    return {cls: "tenant_id" if s.parent is None else f"{s.fk_attr} → {s.parent.__name__}"
            for cls, s in _specs().items()}


def _condition(spec: _Spec, ids: frozenset[int]):
    from sqlalchemy import inspect

    cls = spec.cls
    if spec.parent is None:
        column = cls.tenant_id
        inside = column.in_(sorted(ids)) if ids else false()
        return or_(inside, column.is_(None)) if spec.shared_when_null else inside
    parent_spec = _specs()[spec.parent]
    parent_pk = inspect(spec.parent).primary_key[0]
    return getattr(cls, spec.fk_attr).in_(select(parent_pk).where(_condition(parent_spec, ids)))


@lru_cache(maxsize=4096)
def _options(classes: frozenset[type], ids: frozenset[int]) -> tuple:
    specs = _specs()
    return tuple(
        with_loader_criteria(cls, _condition(specs[cls], ids), include_aliases=True)
        for cls in sorted(classes, key=lambda c: c.__name__)
    )


_BY_TABLE: dict | None = None


def _classes_by_table() -> dict:
    """table -> the covered classes a statement naming it needs criteria for: the table's own class
    and the covered targets of its `lazy="joined"` relationships (joined at compile time). Other
    loads of related rows are statements of their own, filtered in turn."""
    global _BY_TABLE
    if _BY_TABLE is None:
        from sqlalchemy import inspect

        specs = _specs()
        found: dict = {}
        for cls in specs:
            mapper = inspect(cls)
            related = {cls} | {rel.mapper.class_ for rel in mapper.relationships
                               if rel.mapper.class_ in specs and rel.lazy == "joined"}
            found[mapper.local_table] = frozenset(related)
        _BY_TABLE = found
    return _BY_TABLE


@lru_cache(maxsize=8192)
def _tables_classes(tables: frozenset) -> frozenset[type]:
    by_table = _classes_by_table()
    return frozenset(cls for table in tables for cls in by_table.get(table, ()))


def _add_criteria(state) -> None:
    """Criteria only for the covered classes the statement names (anywhere: joins, subqueries,
    EXISTS), and their relationship targets: a cache key over all of them would cost more than the
    query itself."""
    if not (state.is_select or state.is_update or state.is_delete) or state.is_column_load:
        return
    scope = current_scope()
    if scope.tenant_ids is None:
        return
    from sqlalchemy.sql.util import find_tables

    tables = frozenset(find_tables(state.statement, include_aliases=True, include_joins=True, include_crud=True))
    classes = _tables_classes(tables)
    if classes:
        state.statement = state.statement.options(*_options(classes, scope.tenant_ids))


# --- Web requests --------------------------------------------------------------------------------
def resolve_request_scope() -> None:
    """before_request: the signed-in user's scope, once; a read-only scope writes nothing."""
    from flask_login import current_user

    with using(SYSTEM):  # the user loader reads the user before any scope exists
        user = current_user._get_current_object()
        chosen = session.get(SESSION_AREA_KEY) if getattr(user, "role", None) == "national_viewer" else None
        scope = scope_for_user(user, chosen_tenant_id=chosen)
        setattr(g, _G_KEY, scope)
    if (scope.read_only and getattr(user, "is_authenticated", False)
            and request.method not in SAFE_METHODS and request.endpoint not in READ_ONLY_EXEMPT):
        abort(403)


def set_request_scope(scope: Scope) -> None:
    """A request authenticated otherwise than by signing in (an API token): its scope from now on."""
    setattr(g, _G_KEY, scope)


def forget_request_scope(exc=None) -> None:
    g.pop(_G_KEY, None)


def register_scoping(app) -> None:
    """The listener on every session (the tests' included; idempotent) and the request hooks."""
    if not event.contains(Session, "do_orm_execute", _add_criteria):
        event.listen(Session, "do_orm_execute", _add_criteria)
    app.before_request(resolve_request_scope)
    app.teardown_request(forget_request_scope)
