"""Every model, imported in one place (for metadata, Alembic and `flask shell`)."""
from tracker.api.models import ApiToken  # noqa: F401
from tracker.areas.models import AreaName  # noqa: F401
from tracker.audit.models import AuditEntry  # noqa: F401
from tracker.auth.models import User  # noqa: F401
from tracker.auth.throttle import LoginThrottle  # noqa: F401
from tracker.auth.passwords import PasswordResetToken  # noqa: F401
from tracker.indicators.models import (  # noqa: F401
    Framework,
    Indicator,
    IndicatorInput,
    IndicatorProvider,
    ItemIndicatorLink,
)
from tracker.items.models import ItemReassignment  # noqa: F401
from tracker.periods.models import LateException, ReportingPeriod  # noqa: F401
from tracker.plans.models import Appendix, DataIssue, ItemAssignment, Plan, PlanImportMapping, PlanItem, Section  # noqa: F401
from tracker.calendar.models import UnitCalendarToken  # noqa: F401
from tracker.ops.models import SchedulerHeartbeat  # noqa: F401
from tracker.notify.models import EventNotice, NotificationPreference  # noqa: F401
from tracker.ops.freshness import DataVersion  # noqa: F401
from tracker.reminders.models import Notice, Notification, OutboxMessage  # noqa: F401
from tracker.queue.models import Job  # noqa: F401
from tracker.reports.models import IssuedReport, ReportDraft, ReportProfile  # noqa: F401
from tracker.reports.renders import RenderedReport  # noqa: F401
from tracker.units.models import Area, Unit, UnitAlias, UnitGroup, UnitGroupMember  # noqa: F401
from tracker.updates.models import ContributionNote, Evidence, StatusUpdate  # noqa: F401
from tracker.campaigns.models import Campaign, CampaignEvidence, CampaignFormRender, CampaignInput  # noqa: F401
