"""The coordinator's entries on the report page."""
from wtforms import StringField, TextAreaField
from wtforms.validators import Length, Optional

from tracker.core.locking import VersionField
from tracker.core.vietnamese_forms import VietnameseDateField, VietnameseForm

FIELDS = ("number", "report_date", "signer_title", "signer_name", "recipients", "summary", "proposals")


class ReportDraftForm(VietnameseForm):
    number = StringField("Số văn bản", validators=[Optional(), Length(max=64, message="Tối đa 64 ký tự.")],
                         description="Chỉ số (ví dụ 125) hoặc cả số, ký hiệu (125/BC-SKHCN); để trống nếu văn thư cấp số.")
    # dd/mm/yyyy typed as text: an <input type=date> shows the browser's own (often mm/dd/yyyy) order.
    report_date = VietnameseDateField("Ngày báo cáo", validators=[Optional()], description="Để trống: ngày ban hành.")
    signer_title = TextAreaField("Thẩm quyền, chức vụ người ký", validators=[Length(max=255, message="Tối đa 255 ký tự.")],
                                 description="Mỗi dòng in một dòng, ví dụ: KT. GIÁM ĐỐC / PHÓ GIÁM ĐỐC.")
    signer_name = StringField("Họ và tên người ký", validators=[Length(max=255, message="Tối đa 255 ký tự.")])
    recipients = TextAreaField("Nơi nhận", validators=[Length(max=4000, message="Tối đa 4.000 ký tự.")],
                               description="Mỗi dòng một nơi nhận; dòng \"Lưu: VT, ...\" luôn đứng cuối.")
    summary = TextAreaField("Đánh giá chung", validators=[Length(max=20000, message="Tối đa 20.000 ký tự.")])
    proposals = TextAreaField("Đề xuất, kiến nghị", validators=[Length(max=20000, message="Tối đa 20.000 ký tự.")])
    lock_version = VersionField()  # of the draft the form was built from; empty when there was none
