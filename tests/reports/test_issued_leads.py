"""Once a version is issued it leads: the viewer's main button is the issued PDF, the draft second;
a viewer's list offers to read reports, not to write them."""
from __future__ import annotations

import re

from tests.reports.test_routes import DRAFT, _url
from tracker.queue.services import run_jobs
from tracker.reports.models import IssuedReport


def _buttons(html: str) -> list[tuple[str, str, str]]:
    return re.findall(r'<a class="(button[^"]*)" href="([^"]+)">([^<]+)</a>', html)


def test_the_issued_version_leads_once_it_exists(scenario, factory, client, login, db):
    viewer = factory.user("viewer")
    login(viewer)
    (first, *_rest) = _buttons(client.get(_url(scenario)).get_data(as_text=True))
    assert first[0] == "button" and first[2] == "Tải PDF (dự thảo)"

    client.post("/dang-xuat")
    login(factory.user("coordinator"))
    assert client.post(_url(scenario, "/ban-hanh"), data=DRAFT).status_code == 302
    issued = db.session.query(IssuedReport).one()

    client.post("/dang-xuat")
    login(viewer)
    page = client.get(_url(scenario)).get_data(as_text=True)
    assert _buttons(page)[0] == ("button", f"/bao-cao/da-ban-hanh/{issued.id}.pdf",
                                 "Tải PDF bản ban hành (phiên bản 1, số 125) · đang tạo tệp")
    assert "đang tạo tệp</span>" in page  # the version's files come from the background worker
    run_jobs()
    buttons = _buttons(client.get(_url(scenario)).get_data(as_text=True))
    assert buttons[0] == ("button", f"/bao-cao/da-ban-hanh/{issued.id}.pdf",
                          "Tải PDF bản ban hành (phiên bản 1, số 125)")
    draft = next(b for b in buttons if b[1] == _url(scenario, ".pdf"))
    assert draft[0] == "button secondary" and "dự thảo" in draft[2]


def test_the_viewers_list_does_not_offer_to_write(scenario, factory, client, login):
    login(factory.user("viewer"))
    html = client.get("/bao-cao").get_data(as_text=True)
    assert "Xem báo cáo" in html and "Xem, soạn báo cáo" not in html
    client.post("/dang-xuat")
    login(factory.user("coordinator"))
    assert "Xem, soạn báo cáo" in client.get("/bao-cao").get_data(as_text=True)
