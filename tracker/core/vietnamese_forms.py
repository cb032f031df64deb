"""A Flask-WTF form base whose built-in WTForms messages are in Vietnamese.

WTForms ships no Vietnamese catalogue; the few messages its fields and validators emit by
themselves are translated here so that no English text reaches a user.
"""
from __future__ import annotations

from datetime import date

from flask_wtf import FlaskForm
from wtforms import DateField
from wtforms.widgets import TextInput

MESSAGES = {
    "This field is required.": "Vui lòng nhập trường này.",
    "Not a valid choice.": "Lựa chọn không hợp lệ.",
    "Not a valid choice": "Lựa chọn không hợp lệ.",
    "Not a valid date value.": "Ngày không hợp lệ (dd/mm/yyyy).",
    "Not a valid integer value.": "Vui lòng nhập một số nguyên.",
    "Not a valid decimal value.": "Vui lòng nhập một số.",
    "Not a valid float value.": "Vui lòng nhập một số.",
    "Invalid email address.": "Địa chỉ email không hợp lệ.",
    "Invalid input.": "Giá trị không hợp lệ.",
    "Invalid Choice: could not coerce.": "Lựa chọn không hợp lệ.",
    "Invalid choice(s): one or more data inputs could not be coerced.": "Có lựa chọn không hợp lệ.",
    "'%(value)s' is not a valid choice for this field.": "'%(value)s' không phải lựa chọn hợp lệ.",
    "Field must be equal to %(other_name)s.": "Giá trị phải trùng với trường %(other_name)s.",
    "Field must be at least %(min)d character long.": "Phải có ít nhất %(min)d ký tự.",
    "Field must be at least %(min)d characters long.": "Phải có ít nhất %(min)d ký tự.",
    "Field cannot be longer than %(max)d character.": "Không được dài quá %(max)d ký tự.",
    "Field cannot be longer than %(max)d characters.": "Không được dài quá %(max)d ký tự.",
    "Field must be between %(min)d and %(max)d characters long.": "Phải dài từ %(min)d đến %(max)d ký tự.",
    "Number must be at least %(min)s.": "Giá trị phải từ %(min)s trở lên.",
    "Number must be at most %(max)s.": "Giá trị không được lớn hơn %(max)s.",
    "Number must be between %(min)s and %(max)s.": "Giá trị phải từ %(min)s đến %(max)s.",
    "'%(value)s' is not a valid choice for this field.": "'%(value)s' không phải lựa chọn hợp lệ.",
    "'%(value)s' are not valid choices for this field.": "'%(value)s' không phải lựa chọn hợp lệ.",
    "The CSRF token is missing.": "Phiên làm việc đã hết hạn; vui lòng tải lại trang và gửi lại.",
    "The CSRF token is invalid.": "Phiên làm việc không hợp lệ; vui lòng tải lại trang và gửi lại.",
    "The CSRF token has expired.": "Phiên làm việc đã hết hạn; vui lòng tải lại trang và gửi lại.",
    "The CSRF tokens do not match.": "Phiên làm việc không hợp lệ; vui lòng tải lại trang và gửi lại.",
    "The CSRF session token is missing.": "Phiên làm việc đã hết hạn; vui lòng tải lại trang và gửi lại.",
}


class VietnameseTranslations:
    def gettext(self, string: str) -> str:
        return MESSAGES.get(string, string)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return self.gettext(singular if n == 1 else plural)


TRANSLATIONS = VietnameseTranslations()


class VietnameseForm(FlaskForm):
    class Meta:
        def get_translations(self, form):
            return TRANSLATIONS


class VietnameseDateField(DateField):
    """A date typed as dd/mm/yyyy (ISO yyyy-mm-dd also accepted).

    A text box rather than <input type=date>, whose display order follows the browser's locale.
    """

    widget = TextInput()

    def __init__(self, label=None, validators=None, **kwargs):
        kwargs.setdefault("format", ["%d/%m/%Y", "%Y-%m-%d"])
        render_kw = kwargs.setdefault("render_kw", {})
        render_kw.setdefault("placeholder", "dd/mm/yyyy")
        render_kw.setdefault("inputmode", "numeric")
        super().__init__(label, validators, **kwargs)

    def process_formdata(self, valuelist):
        super().process_formdata([value.strip() for value in valuelist])

    def _value(self):
        if self.raw_data:
            return " ".join(self.raw_data)
        return self.data.strftime("%d/%m/%Y") if isinstance(self.data, date) else ""
