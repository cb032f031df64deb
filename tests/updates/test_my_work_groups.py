"""“Việc của tôi”: returned items first, then those due, then the rest; paged; one form (and one
"Gửi báo cáo") per item, which sends that item only."""
import re

from tests.updates.test_my_work import row, updates
from tracker.updates import services
from tracker.updates.routes import WORK_PAGE_SIZE


def forms_of(html):
    return re.findall(r'<form method="post" enctype="multipart/form-data"[^>]*id="dong-([\d-]+)"', html)


def test_returned_first_one_form_per_item_and_pages(client, db, factory, world, as_user):
    for n in range(WORK_PAGE_SIZE + 2):
        factory.item(world.plan, kind="project", owner=world.khcn, text=f"Dự án bổ sung {n}", start_year=2021,
                     end_year=2025)
    db.session.commit()
    as_user(world.reporter)
    data = {"action": "submit"}
    data.update(row(world.document, world.khcn, status="in_progress", progress="20", done_text="Đang soạn thảo."))
    assert client.post("/viec-cua-toi", data=data).status_code == 302
    sent = updates(db)[world.document.id]
    services.return_update(world.coordinator, sent, "Thiếu dự thảo kèm theo.")
    db.session.commit()

    html = client.get("/viec-cua-toi").get_data(as_text=True)
    keys = forms_of(html)
    assert len(keys) == WORK_PAGE_SIZE, "a page of row forms, not every row"
    assert keys[0] == f"{world.document.id}-{world.khcn.id}", "the returned item comes first"
    assert html.index("Bị trả lại: sửa và gửi lại") < html.index("Cần báo cáo")
    assert "Thiếu dự thảo kèm theo." in html
    assert html.count("Gửi báo cáo hạng mục này") == WORK_PAGE_SIZE
    assert "Trang 1/2" in html and "trang=2" in html
    second = client.get("/viec-cua-toi?trang=2").get_data(as_text=True)
    assert forms_of(second) and not set(forms_of(second)) & set(keys)

    # One item's form sends that item alone, even with other rows already holding drafts.
    draft = {"action": "draft"}
    draft.update(row(world.project, world.khcn, status="in_progress", progress="40", done_text="Đã khảo sát."))
    assert client.post("/viec-cua-toi", data=draft).status_code == 302
    returned = updates(db)[world.document.id]
    one = {"action": "submit"}
    one.update(row(world.document, world.khcn, update_id=returned.id, lock_version=returned.lock_version,
                   status="in_progress", progress="30", done_text="Đã bổ sung dự thảo."))
    response = client.post("/viec-cua-toi?trang=2", data=one)
    assert response.status_code == 302 and "trang=2" in response.headers["Location"]
    states = {item_id: u.state for item_id, u in updates(db).items()}
    assert states[world.document.id] == "submitted" and states[world.project.id] == "draft"
