"""Small data factories: each call adds rows to the test's session and flushes."""
from __future__ import annotations

import itertools
from datetime import date

from tracker.auth.models import User
from tracker.periods.models import ReportingPeriod
from tracker.plans.models import Appendix, ItemAssignment, Plan, PlanItem, Section
from tracker.units.models import Area, Unit, UnitGroup, UnitGroupMember

_counter = itertools.count(1)


class Factory:
    """Rows of the test's session. Every owned row belongs to a tenant (a province): areas made here
    are provinces unless told otherwise, and a unit, plan, period or user made without an area goes
    to the last province made (or a new one), so that a test's users see its data (each request
    sees only the signed-in user's province, tracker/areas/scope.py)."""

    def __init__(self, db):
        self.db = db
        self.last_tenant = None
        self._placeholder = None

    def _add(self, obj):
        self.db.session.add(obj)
        self.db.session.flush()
        return obj

    def area(self, code: str | None = None, name: str | None = None, level: str = "province", parent=None):
        placeholder = self._placeholder
        if placeholder is not None and parent is None and level in ("province", "city") and not self._holds_data(placeholder):
            # The province a user was put in before the test named one (a `coordinator` fixture
            # run before the `data` fixture): the first province named is that one.
            self._placeholder = None
            placeholder.code = code or placeholder.code
            placeholder.name = name or placeholder.name
            placeholder.level = level
            self.db.session.flush()
            self.last_tenant = placeholder
            return placeholder
        n = next(_counter)
        area = self._add(
            Area(code=code or f"tinh-{n}", name=name or f"Tỉnh Thử Nghiệm {n}", level=level, parent=parent)
        )
        if area.is_tenant_level:
            self.last_tenant = area
        return area

    def _holds_data(self, area) -> bool:
        from sqlalchemy import select

        return any(self.db.session.scalar(select(model.id).where(model.tenant_id == area.id).limit(1)) is not None
                   for model in (Unit, Plan, ReportingPeriod))

    def tenant(self):
        """The province the factory is working in: the last one made; else the province of the
        plans already loaded (the seeds: plan 222's); else a placeholder, which the first province
        the test then makes becomes."""
        if self.last_tenant is None:
            from sqlalchemy import select

            plan = self.db.session.scalar(select(Plan).order_by(Plan.id).limit(1))
            if plan is not None:
                self.last_tenant = plan.tenant
            else:
                self.last_tenant = self.area()
                self._placeholder = self.last_tenant
        return self.last_tenant

    def unit(self, name: str | None = None, area=None, short_name=None, kind="department", **kwargs):
        n = next(_counter)
        return self._add(
            Unit(name=name or f"Sở Thử Nghiệm {n}", short_name=short_name, kind=kind,
                 area=area or self.tenant(), **kwargs)
        )

    def group(self, name: str, members: list, area=None):
        group = UnitGroup(name=name, area=area or members[0].area)
        for position, unit in enumerate(members):
            group.members.append(UnitGroupMember(unit=unit, position=position))
        return self._add(group)

    def user(self, role: str = "reporter", unit=None, email: str | None = None, password="matkhau123", **kwargs):
        n = next(_counter)
        if role == "reporter" and unit is None:
            unit = self.unit()
        if "tenant" not in kwargs and unit is None and role not in ("national_viewer", "superadmin"):
            kwargs["tenant"] = self.tenant()
        user = User(email=email or f"user{n}@example.vn", role=role, unit=unit,
                    full_name=kwargs.pop("full_name", f"Người dùng {n}"), **kwargs)
        user.set_password(password)
        return self._add(user)

    def plan(self, number: str | None = None, area=None, **kwargs):
        n = next(_counter)
        area = area or self.tenant()
        plan = Plan(number=number or f"{n}/KH-UBND", issued_on=kwargs.pop("issued_on", date(2020, 10, 21)),
                    issuing_body=kwargs.pop("issuing_body", "UBND tỉnh"), area=area,
                    title=kwargs.pop("title", f"Kế hoạch thử nghiệm {n}"),
                    period_start=kwargs.pop("period_start", 2021), period_end=kwargs.pop("period_end", 2025),
                    **kwargs)
        return self._add(plan)

    def appendix(self, plan, kind: str = "project", number: str | None = None, title: str | None = None):
        number = number or {"target": "1", "document": "2", "project": "3", "budget": "5", "task": "6"}[kind]
        return self._add(Appendix(plan=plan, number=number, kind=kind, title=title or f"Phụ lục {number}",
                                  position=int(number) if number.isdigit() else 0))

    def section(self, appendix, code: str = "A", title: str = "Mục thử nghiệm", parent=None):
        path = f"{parent.path}/{code}" if parent else code
        return self._add(Section(appendix=appendix, code=code, title=title, path=path,
                                 parent=parent, depth=(parent.depth + 1) if parent else 0))

    def item(self, plan=None, kind: str = "project", owner=None, coordinators=(), section=None,
             code: str | None = None, text: str | None = None, **kwargs):
        plan = plan or self.plan()
        appendix = next((a for a in plan.appendices if a.kind == kind), None) or self.appendix(plan, kind)
        n = next(_counter)
        code = code or str(n)
        ref = "/".join([appendix.number] + (section.path.split("/") if section else []) + [code])
        if kind == "project":
            kwargs.setdefault("start_year", 2021)
            kwargs.setdefault("end_year", 2025)
        item = PlanItem(plan=plan, appendix=appendix, section=section, kind=kind, ref=ref, code=code,
                        position=n, text=text or f"Nhiệm vụ thử nghiệm {n}", **kwargs)
        owner = owner or self.unit(area=plan.area)
        owners = owner if isinstance(owner, (list, tuple)) else [owner]
        for position, who in enumerate(owners):
            item.assignments.append(self._assignment("owner", who, position))
        for position, who in enumerate(coordinators):
            item.assignments.append(self._assignment("coordinator", who, position))
        item.owner_text = "; ".join(a.label for a in item.owners)
        item.coordinators_text = "; ".join(a.label for a in item.coordinators)
        from tracker.core.text import fold_search

        item.search_text = fold_search(f"{item.code} {item.text}")
        return self._add(item)

    @staticmethod
    def _assignment(role, who, position):
        if isinstance(who, UnitGroup):
            return ItemAssignment(role=role, group=who, name_as_written=who.name, position=position)
        return ItemAssignment(role=role, unit=who, name_as_written=who.name, position=position)

    def period(self, year: int = 2025, quarter: int = 3, tenant=None, **kwargs):
        from tracker.areas.tenancy import tenant_area
        from tracker.periods.services import period_dates

        dates = period_dates(year, quarter)
        dates.update(kwargs)
        tenant = tenant_area(tenant) if tenant is not None else self.tenant()
        return self._add(ReportingPeriod(code=f"{year}-Q{quarter}", year=year, quarter=quarter, tenant_id=tenant.id,
                                         **dates))
