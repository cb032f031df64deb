"""One counting rule for "chủ trì": the unit list and the unit page count the same items (named
directly, carried after a merger, or through a group; each item once)."""
from __future__ import annotations

import re
from datetime import date


def test_the_unit_list_counts_what_the_unit_page_lists(client, db, factory, login):
    area = factory.area(name="Tỉnh Thừa Thiên Huế")
    khcn = factory.unit("Sở Khoa học và Công nghệ", area=area, short_name="Sở KH&CN")
    factory.unit("Sở Thông tin và Truyền thông", area=area, successor=khcn, succeeded_on=date(2025, 3, 1),
                 succession_type="merged")
    tttt = db.session.query(type(khcn)).filter_by(name="Sở Thông tin và Truyền thông").one()
    other = factory.unit("Sở Y tế", area=area)
    group = factory.group("Các sở, ban, ngành", [khcn, other])
    plan = factory.plan(area=area)
    factory.item(plan, "project", owner=khcn, text="Của Sở KH&CN")
    factory.item(plan, "project", owner=tttt, text="Của Sở TT&TT, nay Sở KH&CN")
    factory.item(plan, "project", owner=group, text="Của mọi sở")
    factory.item(plan, "project", owner=[khcn, group], text="Sở KH&CN, cũng qua nhóm")
    factory.item(plan, "document", owner=other, coordinators=[khcn], text="Sở KH&CN phối hợp")
    db.session.commit()
    login(factory.user("viewer", unit=khcn))

    listing = client.get("/don-vi").get_data(as_text=True)
    rows = {}
    for row in re.findall(r"<tr[ >].*?</tr>", listing.split("<tbody>", 1)[1].split("</tbody>")[0], re.S):
        name = re.search(r'<a href="/don-vi/\d+">([^<]+)</a>', row).group(1)
        owned, coordinated = re.findall(r'<td class="num">(\d+)</td>', row)
        rows[name] = (int(owned), int(coordinated))
    assert rows["Sở Khoa học và Công nghệ"] == (4, 1)
    assert rows["Sở Y tế"] == (3, 0)  # the group items and its own document
    assert rows["Sở Thông tin và Truyền thông"] == (1, 0)
    for unit in (khcn, other, tttt):
        page = client.get(f"/don-vi/{unit.id}").get_data(as_text=True)
        owned = int(re.search(r"Chủ trì \((\d+)\)", page).group(1))
        assert owned == rows[unit.name][0], unit.name
