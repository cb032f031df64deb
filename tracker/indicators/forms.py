"""Linking plan items to indicators from the framework page."""
from __future__ import annotations

from wtforms import SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional

from tracker.core.vietnamese_forms import VietnameseForm


class FrameworkLinkForm(VietnameseForm):
    indicator_id = SelectField("Chỉ số", coerce=int, validators=[DataRequired("Vui lòng chọn chỉ số.")])
    plan_id = SelectField("Kế hoạch", coerce=int, validators=[DataRequired("Vui lòng chọn kế hoạch.")])
    item_ref = StringField(
        "Mã hạng mục",
        validators=[DataRequired("Vui lòng nhập mã hạng mục, ví dụ 3/A/V/2."), Length(max=120)],
        # The picker (static/app.js) fills the datalist from the search endpoint as one types.
        render_kw={"list": "goi-y-hang-muc", "autocomplete": "off", "data-item-picker": ""},
    )
    note = StringField("Lý do liên kết", validators=[Optional(), Length(max=1000)])
