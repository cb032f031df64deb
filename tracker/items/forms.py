"""Forms of the item page: editing an item and linking it to indicators."""
from __future__ import annotations

from wtforms import SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from tracker.core.locking import VersionField
from tracker.core.vietnamese_forms import VietnameseDateField, VietnameseForm


class ItemEditForm(VietnameseForm):
    text = TextAreaField(
        "Nội dung", validators=[DataRequired("Vui lòng nhập nội dung hạng mục."), Length(max=10000)]
    )
    owners = SelectMultipleField(
        "Đơn vị chủ trì", validators=[DataRequired("Vui lòng chọn ít nhất một đơn vị chủ trì.")]
    )
    coordinators = SelectMultipleField("Đơn vị phối hợp", validators=[Optional()])
    deadline = VietnameseDateField("Hạn hoàn thành", validators=[Optional()])
    note = TextAreaField("Ghi chú", validators=[Optional(), Length(max=5000)])
    lock_version = VersionField()

    def validate_coordinators(self, field):
        both = set(field.data or []) & set(self.owners.data or [])
        if both:
            labels = dict(self.owners.choices)
            names = ", ".join(labels.get(value, value) for value in sorted(both))
            raise ValidationError(f"Đơn vị vừa chủ trì vừa phối hợp: {names}. Bỏ chọn ở một trong hai ô.")


class LinkForm(VietnameseForm):
    indicator_id = SelectField(
        "Chỉ số", coerce=int, validators=[DataRequired("Vui lòng chọn chỉ số.")], validate_choice=True
    )
    note = StringField("Lý do liên kết", validators=[Optional(), Length(max=1000)])


class ReassignForm(VietnameseForm):
    """A coordinator gives an item whose units ended to a unit that exists, from a date."""

    to_unit_id = SelectField("Giao cho đơn vị", coerce=int, validators=[DataRequired("Vui lòng chọn đơn vị.")],
                             validate_choice=True)
    effective_on = VietnameseDateField("Từ ngày", validators=[DataRequired("Vui lòng nhập ngày (dd/mm/yyyy).")])
    note = TextAreaField("Lý do, căn cứ", validators=[DataRequired("Vui lòng ghi lý do, căn cứ giao lại."),
                                                       Length(max=2000)])


class ConfirmForm(VietnameseForm):
    """A button-only form: CSRF is the only field."""


class VersionedConfirmForm(VietnameseForm):
    """A button acting on a versioned record (removing an indicator link): CSRF and the version."""

    lock_version = VersionField()
