"""Who reads what of a report that has not been sent.

A report is *unsent* while it is a draft or has been returned and is being reworked (a returned
version is edited in place). Its text, figures and evidence files are the writing unit's alone
(its reporters, or after a succession the reporters of the unit carrying its work): not another
unit's, not the viewers', not the coordinators' or the admin's until it is sent. The reason a
coordinator gave for returning it is the unit's and the staff's to read. Everyone who may read
the page still sees that such a report exists, its state, version and unit.

Every page that shows reports asks these functions; the audit trail, which records the text of
each draft save and the names of draft evidence files, is shown through `redact_audit`.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select

from tracker.auth.permissions import is_staff
from tracker.core.time import today_local
from tracker.extensions import db
from tracker.units.models import Unit
from tracker.updates.models import Evidence, StatusUpdate, UpdateState

UNSENT = (UpdateState.DRAFT.value, UpdateState.RETURNED.value)
HIDDEN_NOTE = "Nội dung chưa gửi: chỉ đơn vị soạn báo cáo xem được."
# Audit actions recorded while a report is being written (their changes hold the draft's text).
DRAFT_ACTIONS = {"create", "save_draft"}
EVIDENCE_ACTIONS = {"attach_evidence", "delete_evidence"}


def _unit(update) -> Unit | None:
    unit = getattr(update, "unit", None)
    if isinstance(unit, Unit):
        return unit
    return db.session.get(Unit, update.unit_id)


def is_writer(user, update, today: date | None = None) -> bool:
    """The user reports for the unit that wrote `update` (or for the unit now carrying its work)."""
    if not getattr(user, "is_authenticated", False) or user.role != "reporter" or user.unit_id is None:
        return False
    if update.unit_id == user.unit_id:
        return True
    unit = _unit(update)
    return unit is not None and unit.carrier_on(today or today_local()).id == user.unit_id


def can_see_contents(user, update, today: date | None = None) -> bool:
    """Text, figures and evidence of this version (`update` is a StatusUpdate or a row with
    `state` and `unit_id`)."""
    return update.state not in UNSENT or is_writer(user, update, today)


def can_see_review(user, update, today: date | None = None) -> bool:
    """The coordinator's comment: a return reason is for the unit and the staff."""
    if update.state != UpdateState.RETURNED.value:
        return can_see_contents(user, update, today)
    return is_staff(user) or is_writer(user, update, today)


@dataclass
class AuditView:
    """An audit entry as a reader may see it (never written back: the entry itself is unchanged)."""

    at: datetime
    actor: object
    actor_label: str | None
    action: str
    entity_type: str
    entity_id: int | None
    summary: str
    changes: dict


_QUOTED = re.compile(r"\"[^\"]*\"")


def redact_audit(entries) -> list[AuditView]:
    """The trail without the text of drafts and the names of files attached to unsent reports."""
    evidence_ids = [e.entity_id for e in entries if e.entity_type == "evidence" and e.action in EVIDENCE_ACTIONS]
    campaign_files = [e.entity_id for e in entries
                      if e.entity_type == "campaign_evidence" and e.action in EVIDENCE_ACTIONS]
    sent_files: set[int] = set()
    sent_campaign_files: set[int] = set()
    if evidence_ids:
        sent_files = set(db.session.scalars(
            select(Evidence.id).join(StatusUpdate, StatusUpdate.id == Evidence.update_id)
            .where(Evidence.id.in_(evidence_ids), StatusUpdate.state.not_in(UNSENT))
        ))
    if campaign_files:
        from tracker.campaigns.models import CampaignEvidence, CampaignInput

        sent_campaign_files = set(db.session.scalars(
            select(CampaignEvidence.id).join(CampaignInput, CampaignInput.id == CampaignEvidence.input_id)
            .where(CampaignEvidence.id.in_(campaign_files), CampaignInput.state.in_(("submitted", "accepted")))))
    views = []
    for entry in entries:
        summary, changes = entry.summary, entry.changes or {}
        if (entry.entity_type == "status_update" and entry.action in DRAFT_ACTIONS) or (
                entry.entity_type, entry.action) == ("campaign_input", "save_campaign_input"):
            # A DTI campaign input's saves too: its figures are its provider's until it is sent.
            summary, changes = f"{summary} (nội dung bản nháp chỉ đơn vị soạn xem được)", {}
        elif entry.entity_type == "evidence" and entry.action in EVIDENCE_ACTIONS and entry.entity_id not in sent_files:
            # A file deleted is a draft's (only drafts lose files); one still on an unsent report too.
            summary, changes = _QUOTED.sub("(tên tệp của báo cáo chưa gửi)", summary, count=1), {}
        elif (entry.entity_type == "campaign_evidence" and entry.action in EVIDENCE_ACTIONS
              and entry.entity_id not in sent_campaign_files):
            summary, changes = _QUOTED.sub("(tên tệp của số liệu chưa gửi)", summary, count=1), {}
        views.append(AuditView(entry.at, entry.actor, entry.actor_label, entry.action, entry.entity_type,
                               entry.entity_id, summary, changes))
    return views
