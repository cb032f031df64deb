"""Linking an item to an indicator without knowing its code: the server finds a plan's items by words
(diacritics ignored) or the start of a reference; the framework page wires the field to it."""
from __future__ import annotations

from tracker.indicators.models import Framework, Indicator


def test_items_are_found_by_words_or_reference_in_the_plan_chosen(client, db, factory, login, provinces):
    hue, thanh_hoa = provinces
    factory.item(hue.plan, "project", owner=hue.khcn, code="2", text="Triển khai chữ ký số cho cán bộ")
    factory.item(thanh_hoa.plan, "project", owner=thanh_hoa.khcn, code="2", text="Chữ ký số Thanh Hóa")
    db.session.commit()
    login(hue.coordinator)
    found = client.get(f"/bo-chi-so/tim-hang-muc?ke-hoach={hue.plan.id}&q=chu+ky+so").get_json()["items"]
    assert [item["label"].split(" · ", 1)[1] for item in found] == ["Triển khai chữ ký số cho cán bộ"]
    ref = found[0]["ref"]
    by_ref = client.get(f"/bo-chi-so/tim-hang-muc?ke-hoach={hue.plan.id}&q={ref}").get_json()["items"]
    assert by_ref[0]["ref"] == ref  # the exact code first (then longer codes starting with it)
    assert client.get(f"/bo-chi-so/tim-hang-muc?ke-hoach={hue.plan.id}&q=c").get_json() == {"items": []}
    assert client.get("/bo-chi-so/tim-hang-muc?q=chu+ky+so").get_json() == {"items": []}


def test_the_link_form_offers_the_picker(client, db, factory, login, provinces):
    hue, _ = provinces
    framework = Framework(name="DTI thử", level="province", year=2024)
    db.session.add_all([framework, Indicator(framework=framework, code="1", key="1", name="Chỉ số", position=1)])
    db.session.commit()
    login(hue.coordinator)
    html = client.get(f"/bo-chi-so/{framework.id}").get_data(as_text=True)
    assert 'data-item-search="/bo-chi-so/tim-hang-muc"' in html
    assert 'list="goi-y-hang-muc"' in html and '<datalist id="goi-y-hang-muc"></datalist>' in html
    assert "<script>" not in html  # the picker is static/app.js (CSP)
