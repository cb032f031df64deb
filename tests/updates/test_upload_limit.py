"""Over the upload limit the form comes back with the limit stated and everything typed kept (413);
an .exe does not hide the other field errors; the limit is stated on the form and checked in the
browser (tracker/static/app.js) before sending."""
import io

from sqlalchemy import select

from tests.updates.world import edit_url, form
from tracker.updates.models import StatusUpdate


def test_a_413_answer_is_the_form_with_the_typed_values(app, client, db, world, as_user, monkeypatch):
    as_user(world.reporter)
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 4096)
    data = form(progress="65", done_text="Đã lắp đặt máy chủ, chờ nghiệm thu.", difficulties="Chậm giải ngân vốn.",
                amount_committed="1.500.000.000")
    data["evidence"] = (io.BytesIO(b"%PDF" + b"0" * 20000), "Biên bản rất lớn.pdf")
    response = client.post(edit_url(world.project, world.period), data=data, content_type="multipart/form-data")
    assert response.status_code == 413
    html = response.get_data(as_text=True)
    assert '<form method="post" enctype="multipart/form-data"' in html
    assert "Đã lắp đặt máy chủ, chờ nghiệm thu." in html and "Chậm giải ngân vốn." in html
    assert 'value="65"' in html and "1.500.000.000" in html
    assert "CHƯA được lưu" in html and "vui lòng chọn lại tệp" in html
    assert db.session.scalars(select(StatusUpdate)).first() is None


def test_the_form_states_the_limit_and_the_browser_checks_it(app, client, world, as_user):
    as_user(world.reporter)
    html = client.get(edit_url(world.project, world.period)).get_data(as_text=True)
    limit_mb = app.config["MAX_CONTENT_LENGTH"] // (1024 * 1024)
    assert f"mỗi lần gửi tối đa {limit_mb} MB" in html
    assert f'data-max-bytes="{app.config["MAX_CONTENT_LENGTH"] - 65536}"' in html
    assert "data-max-message=" in html
    from pathlib import Path

    script = (Path(app.static_folder) / "app.js").read_text(encoding="utf-8")
    assert "data-max-bytes" in script and "setCustomValidity" in script


def test_an_exe_does_not_hide_the_other_errors(client, db, world, as_user):
    as_user(world.reporter)
    data = form(progress="150", amount_committed="-5.000.000", done_text="Giữ nguyên nội dung này.")
    data["evidence"] = (io.BytesIO(b"MZ..."), "cai-dat.exe")
    response = client.post(edit_url(world.project, world.period), data=data, content_type="multipart/form-data")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "định dạng không được chấp nhận" in html
    assert html.count('class="field-error"') >= 3, "the file, the progress and the amount, all at once"
    assert "Giữ nguyên nội dung này." in html
    assert db.session.scalars(select(StatusUpdate)).first() is None
