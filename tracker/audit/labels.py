"""The Vietnamese names of the fields audit entries record: one table for every page showing changes."""
from __future__ import annotations

AUDIT_FIELD_LABELS = {
    "text": "Nội dung", "deadline": "Hạn hoàn thành", "note": "Ghi chú", "owners": "Chủ trì",
    "coordinators": "Phối hợp", "indicator": "Chỉ số", "successor": "Đơn vị kế thừa",
    "succeeded_on": "Từ ngày", "succession_type": "Hình thức", "succession_note": "Căn cứ",
    "users": "Tài khoản chuyển sang", "predecessor": "Tiếp nhận từ", "name": "Tên", "short_name": "Tên viết tắt",
    "kind": "Loại", "parent": "Cấp trên", "aliases": "Tên khác", "area": "Địa bàn", "members": "Thành viên",
    "email": "Email", "full_name": "Họ và tên", "role": "Vai trò", "unit": "Đơn vị", "active": "Đang hoạt động",
    # an item's state, as accepted updates set it, and the updates themselves
    "status": "Tình trạng", "progress": "Tiến độ", "achieved_value": "Giá trị đạt được",
    "amount_committed": "Kinh phí đã cam kết", "amount_disbursed": "Kinh phí đã giải ngân",
    "completed_on": "Ngày hoàn thành", "last_update_at": "Cập nhật gần nhất", "state": "Trạng thái báo cáo",
    "reason": "Lý do", "file": "Tệp minh chứng", "done_text": "Kết quả thực hiện",
    "difficulties": "Khó khăn, vướng mắc", "proposals": "Kiến nghị, đề xuất", "supersedes": "Đính chính báo cáo",
    "budget_state": "Ngân sách trung hạn", "budget_other": "Nguồn khác", "budget_total": "Tổng kinh phí",
    "target_value": "Giá trị chỉ tiêu", "baseline_value": "Giá trị ban đầu",
    "submission_deadline": "Hạn gửi báo cáo", "consolidated_deadline": "Hạn báo cáo tổng hợp",
    "successor_id": "Đơn vị kế thừa", "notify_optional": "Nhận thông báo không bắt buộc",
    # the administration's full trail (report drafts, reporting periods)
    "number": "Số văn bản", "report_date": "Ngày báo cáo", "signer_title": "Thẩm quyền, chức vụ người ký",
    "signer_name": "Người ký", "recipients": "Nơi nhận", "summary": "Đánh giá chung",
    "data_start": "Chốt số liệu từ ngày", "data_end": "Chốt số liệu đến ngày", "closed": "Đã khóa",
    "until": "Gia hạn đến", "assignments": "Phân công",
}


def audit_field(key: str) -> str:
    """The Vietnamese label of a field named in an audit entry (the key itself when unknown)."""
    return AUDIT_FIELD_LABELS.get(key, key)
