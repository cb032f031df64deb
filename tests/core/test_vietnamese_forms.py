"""Every form of the app speaks Vietnamese: its class derives from VietnameseForm, whose WTForms
built-in messages are translated (WTForms has no Vietnamese catalogue)."""
import importlib
import pkgutil

from flask_wtf import FlaskForm

import tracker
from tracker.core.vietnamese_forms import VietnameseForm


def _subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def test_every_form_is_a_vietnamese_form(app):
    for module in pkgutil.walk_packages(tracker.__path__, "tracker."):
        if module.name.endswith(("forms", "form")):
            importlib.import_module(module.name)
    english = [f"{c.__module__}.{c.__name__}" for c in _subclasses(FlaskForm)
               if c.__module__.startswith("tracker.") and not issubclass(c, VietnameseForm)]
    assert english == []


def test_a_required_field_answers_in_vietnamese(app):
    from tracker.auth.forms import ChangePasswordForm

    with app.test_request_context(method="POST", data={"new_password": "abc", "confirm": "abd"}):
        form = ChangePasswordForm(meta={"csrf": False})
        assert not form.validate()
        messages = [m for field in form for m in field.errors]
        assert "Vui lòng nhập mật khẩu hiện tại." in messages
        assert all("field" not in m.lower() for m in messages), messages
