"""What the update workflow refuses, and the editable states (shared by its modules)."""
from __future__ import annotations

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from tracker.extensions import db
from tracker.updates.models import StatusUpdate, UpdateState

EDITABLE = (UpdateState.DRAFT.value, UpdateState.RETURNED.value)


class UpdateError(Exception):
    """Refused, for a reason the user can act on (message in Vietnamese)."""


class NotAllowed(UpdateError):
    pass


class InvalidState(UpdateError):
    pass


class PeriodClosed(UpdateError):
    pass


class ValidationFailed(UpdateError):
    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(errors.values()))
        self.errors = errors


class EvidenceError(UpdateError):
    pass


class StaleUpdate(UpdateError):
    """The version the user edited is no longer the stored one."""

    def __init__(self, current: StatusUpdate | None = None):
        self.current = current
        super().__init__(stale_message(current))


def stale_message(current: StatusUpdate | None) -> str:
    from tracker.core.locking import last_change

    who = last_change("status_update", current.id) if current is not None and current.id is not None else ""
    return (
        f"Báo cáo này vừa được người khác thay đổi{who} sau khi bạn mở trang. Nội dung bạn nhập CHƯA được lưu "
        "và được giữ nguyên bên dưới; hãy xem bản đang lưu, chỉnh lại rồi bấm lưu lần nữa."
    )


def flush() -> None:
    """Flush, turning a concurrent change of the same row or version into `StaleUpdate`."""
    try:
        db.session.flush()
    except StaleDataError as error:  # the row changed between our read and our write
        raise StaleUpdate(None) from error
    except IntegrityError as error:  # someone created the same version at the same time
        raise StaleUpdate(None) from error


def summary(update: StatusUpdate, verb: str) -> str:
    """The audit summary of an action on one version."""
    return f"{verb} báo cáo {update.period.label} của {update.unit.name} về hạng mục {update.item.ref} (phiên bản {update.version})"
