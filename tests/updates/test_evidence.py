"""Evidence files: stored outside the static folder under generated names, served as attachments with
the original Vietnamese name to signed-in users allowed to read the update."""
import io
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import quote

from sqlalchemy import select

from tests.updates.world import edit_url, form, ids_of
from tracker.updates.models import Evidence, StatusUpdate

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
NAME = "Biên bản nghiệm thu Trung tâm dữ liệu – đợt 1.pdf"


def upload(client, world, name=NAME, content=PDF, **values):
    data = form(**values)
    data["evidence"] = (io.BytesIO(content), name)
    return client.post(edit_url(world.project, world.period), data=data, content_type="multipart/form-data")


def test_upload_and_download_keep_the_vietnamese_name(app, client, db, world, as_user):
    as_user(world.reporter)
    response = upload(client, world, action="submit")
    assert response.status_code == 302
    evidence = db.session.scalars(select(Evidence)).one()
    assert evidence.original_name == NAME
    assert evidence.content_type == "application/pdf" and evidence.size == len(PDF)
    assert len(evidence.stored_name) == 32 and NAME not in evidence.stored_name
    stored = Path(app.config["UPLOAD_DIR"]) / evidence.stored_name
    assert stored.read_bytes() == PDF
    static = Path(app.static_folder).resolve()
    assert static not in stored.resolve().parents
    assert client.get(f"/static/{evidence.stored_name}").status_code == 404

    response = client.get(f"/minh-chung/{evidence.id}")
    assert response.status_code == 200
    assert response.data == PDF
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert f"filename*=UTF-8''{quote(NAME, safe='')}" in disposition
    assert 'filename="Bien ban nghiem thu Trung tam du lieu _ dot 1.pdf"' in disposition
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.mimetype == "application/pdf"

    # Who else may download it: signed-in readers of the update only.
    for user, status in ((world.coordinator, 200), (world.viewer, 200), (world.reporter_office, 200),
                         (world.reporter_finance, 403), (world.admin, 200)):
        as_user(user)
        assert client.get(f"/minh-chung/{evidence.id}").status_code == status, user.email
    client.post("/dang-xuat")
    response = client.get(f"/minh-chung/{evidence.id}")
    assert response.status_code == 302 and "/dang-nhap" in response.headers["Location"]
    assert client.get("/minh-chung/999999").status_code == 302


class FormNesting(HTMLParser):
    """Forms do not nest in HTML: an inner </form> would end the outer one and orphan its buttons."""

    def __init__(self):
        super().__init__()
        self.depth = self.deepest = 0

    def handle_starttag(self, tag, attrs):
        if tag == "form":
            self.depth += 1
            self.deepest = max(self.deepest, self.depth)

    def handle_endtag(self, tag):
        if tag == "form":
            self.depth -= 1


def test_delete_buttons_do_not_nest_forms(client, db, world, as_user):
    as_user(world.reporter)
    upload(client, world)
    html = client.get(edit_url(world.project, world.period)).get_data(as_text=True)
    evidence = db.session.scalars(select(Evidence)).one()
    assert f'form="xoa-minh-chung-{evidence.id}"' in html
    parser = FormNesting()
    parser.feed(html)
    assert parser.deepest == 1


def test_refused_files(client, db, world, as_user):
    as_user(world.reporter)
    response = upload(client, world, name="cai-dat.exe", content=b"MZ...", done_text="Giữ nguyên nội dung này.")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "định dạng không được chấp nhận" in html and "Giữ nguyên nội dung này." in html
    assert "vui lòng chọn lại tệp" in html
    assert db.session.scalars(select(StatusUpdate)).first() is None

    response = upload(client, world, name="bao-cao.pdf", content=b"khong phai pdf")
    assert response.status_code == 422
    assert "không đúng định dạng .pdf" in response.get_data(as_text=True)
    assert db.session.scalars(select(Evidence)).first() is None


def test_too_large(app, client, db, world, as_user, monkeypatch, tmp_path):
    as_user(world.reporter)
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 4096)
    response = upload(client, world, content=b"%PDF" + b"0" * 8000)
    assert response.status_code == 413
    assert "vượt quá dung lượng cho phép" in response.get_data(as_text=True)

    # The service checks each file against the limit too (a request may carry several).
    from werkzeug.datastructures import FileStorage

    from tracker.updates import services
    from tracker.updates.validation import validate_update

    values = validate_update(world.project, form(), budget=services.budget_of(world.project)).values
    update = services.save_draft(world.reporter, world.project, world.period, values, update_id=None, lock_version=None)
    big = FileStorage(io.BytesIO(b"%PDF" + b"0" * 3000), filename="lon.pdf")
    try:
        services.attach_evidence(world.reporter, update, big, max_size=1024, upload_dir=str(tmp_path))
    except services.EvidenceError as error:
        assert "vượt quá dung lượng cho phép" in str(error)
    else:
        raise AssertionError("a file above the limit was accepted")
    assert list(tmp_path.iterdir()) == []  # nothing left behind


def test_delete_while_editable_only(app, client, db, world, as_user):
    as_user(world.reporter)
    upload(client, world)
    evidence = db.session.scalars(select(Evidence)).one()
    path = Path(app.config["UPLOAD_DIR"]) / evidence.stored_name
    as_user(world.reporter_office)
    assert client.post(f"/minh-chung/{evidence.id}/xoa").status_code == 403
    as_user(world.reporter)
    assert client.post(f"/minh-chung/{evidence.id}/xoa").status_code == 302
    assert db.session.scalars(select(Evidence)).first() is None
    assert not path.exists()

    update = db.session.scalars(select(StatusUpdate)).one()
    stale = upload(client, world, name="Ảnh hiện trường.jpg", content=b"\xff\xd8\xff\xe0" + b"0" * 100)
    assert stale.status_code == 409  # a form without the update's version is refused
    response = upload(client, world, name="Ảnh hiện trường.jpg", content=b"\xff\xd8\xff\xe0" + b"0" * 100,
                      **ids_of(update))
    assert response.status_code == 302
    db.session.expire_all()
    client.post(edit_url(world.project, world.period), data=form(action="submit", **ids_of(update)))
    evidence = db.session.scalars(select(Evidence)).one()
    assert evidence.content_type == "image/jpeg"
    assert client.post(f"/minh-chung/{evidence.id}/xoa").status_code == 403  # submitted: frozen


def test_correction_copies_the_evidence(app, client, db, world, as_user):
    as_user(world.reporter)
    upload(client, world, action="submit")
    first = db.session.scalars(select(StatusUpdate)).one()
    as_user(world.coordinator)
    client.post(f"/cap-nhat/{first.id}/duyet", data={"decision": "accept"})
    as_user(world.reporter)
    client.post(f"/cap-nhat/{first.id}/dinh-chinh")
    files = db.session.scalars(select(Evidence).order_by(Evidence.id)).all()
    assert [f.original_name for f in files] == [NAME, NAME]
    assert files[0].stored_name != files[1].stored_name
    # Removing the copy from the correction leaves the accepted version's file in place.
    assert client.post(f"/minh-chung/{files[1].id}/xoa").status_code == 302
    assert (Path(app.config["UPLOAD_DIR"]) / files[0].stored_name).exists()
    assert client.get(f"/minh-chung/{files[0].id}").status_code == 200
