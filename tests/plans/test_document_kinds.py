"""Document items are described by their kind: a conference is held, not issued."""
import pytest

from tracker.plans.document_kinds import pending_phrase
from tracker.reminders.services import item_warning_reason


@pytest.mark.parametrize(("kind", "phrase"), [
    ("Hội thảo, hội nghị", "Hội thảo, hội nghị chưa được tổ chức"),
    ("Hội thảo, hội ngị", "Hội thảo, hội ngị chưa được tổ chức"),  # the document's own typo, kept
    ("Chương trình đào tạo, tập huấn", "Chương trình đào tạo, tập huấn chưa được tổ chức thực hiện"),
    ("Quyết định", "Quyết định chưa được ban hành"),
    ("Tài liệu, ứng dụng", "Tài liệu, ứng dụng chưa được hoàn thành"),
    (None, "Nhiệm vụ chưa hoàn thành"),
])
def test_pending_phrase(kind, phrase):
    assert pending_phrase(kind) == phrase


def test_a_late_conference_is_not_an_unissued_document(db, factory):
    from datetime import date

    unit = factory.unit("Sở Khoa học và Công nghệ")
    plan = factory.plan("222/KH-UBND")
    item = factory.item(plan=plan, owner=unit, kind="document", deadline=date(2025, 6, 30),
                        text="Tổ chức hội nghị chuyển đổi số", doc_type="Hội thảo, hội nghị")
    reason = item_warning_reason(item, date(2025, 9, 1))
    assert reason.startswith("Hội thảo, hội nghị chưa được tổ chức, đã quá hạn 30/06/2025")
    assert "Văn bản" not in reason
