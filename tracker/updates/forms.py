"""Forms of the update workflow. The update fields themselves are read by `validation.validate_update`
(they are typed the Vietnamese way, and the same reader serves the one-item and the many-item forms);
the forms here carry the CSRF token and the review and contribution fields."""
from __future__ import annotations

from wtforms import HiddenField, SelectField, TextAreaField
from wtforms.validators import Length, Optional

from tracker.core.vietnamese_forms import VietnameseForm


class CsrfForm(VietnameseForm):
    """A form whose fields are read by hand: CSRF is its only WTForms field."""


class ReviewForm(VietnameseForm):
    decision = SelectField("Quyết định", choices=[("accept", "Chấp nhận"), ("return", "Trả lại"),
                                                        ("correction", "Yêu cầu đính chính")])
    reason = TextAreaField("Lý do trả lại", validators=[Optional(), Length(max=5000)])
    comment = TextAreaField("Ý kiến khi chấp nhận", validators=[Optional(), Length(max=5000)])
    lock_version = HiddenField()
    next = HiddenField()


class ContributionForm(VietnameseForm):
    text = TextAreaField("Ý kiến, kết quả phối hợp", validators=[Optional(), Length(max=20000)])
