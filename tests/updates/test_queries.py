"""The workflow pages cost the same number of SQL queries whatever the number of items and updates."""
import uuid
from contextlib import contextmanager

from sqlalchemy import event

from tests.updates.world import form
from tracker.updates import services
from tracker.updates.models import Evidence
from tracker.updates.validation import validate_update


@contextmanager
def counting(db):
    statements = []

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", count)


def add_reported_items(factory, world, count: int):
    for n in range(count):
        item = factory.item(world.plan, owner=world.khcn, text=f"Dự án đo truy vấn {n}")
        factory.item(world.plan, kind="budget", owner=world.khcn, text=f"Kinh phí {n}", budget_total=10 ** 9,
                     funded_project_id=item.id)
        values = validate_update(item, form(), budget=services.budget_of(item)).values
        update = services.save_draft(world.reporter, item, world.period, values, update_id=None, lock_version=None)
        factory._add(Evidence(update=update, original_name=f"minh-chung-{n}.pdf", stored_name=uuid.uuid4().hex,
                              content_type="application/pdf", size=1))
        if n % 2:
            services.submit(world.reporter, update)


def page_queries(client, db, url):
    with counting(db) as statements:
        assert client.get(url).status_code == 200
    return len(statements)


def test_pages_do_not_grow_with_the_data(client, db, factory, world, as_user):
    add_reported_items(factory, world, 3)
    db.session.commit()
    pages = {"/viec-cua-toi": world.reporter, "/cho-duyet": world.coordinator, "/ky-bao-cao": world.coordinator,
             f"/ky-bao-cao/{world.period.code}": world.coordinator}
    before = {}
    for url, user in pages.items():
        as_user(user)
        db.session.expire_all()
        before[url] = page_queries(client, db, url)
    add_reported_items(factory, world, 6)
    db.session.commit()
    for url, user in pages.items():
        as_user(user)
        db.session.expire_all()
        assert page_queries(client, db, url) == before[url], url


def test_update_form_of_a_group_item_does_not_grow_with_the_group(client, db, factory, world, as_user):
    """Who reports for a group's item is read with the item (members, successors), not member by member."""
    from tracker.units.models import UnitGroupMember

    url = f"/cap-nhat/{world.project_group.id}/{world.period.code}"
    as_user(world.reporter)
    db.session.expire_all()
    before = page_queries(client, db, url)
    for n in range(5):
        world.group.members.append(UnitGroupMember(unit=factory.unit(f"Sở Thêm {n}", area=world.area), position=10 + n))
    db.session.commit()
    db.session.expire_all()
    assert page_queries(client, db, url) == before


def test_my_work_reads_only_what_the_unit_may_owe(client, db, factory, world, as_user):
    """Another unit's items are not loaded for a reporter's "Việc của tôi" (a province has hundreds)."""
    from tracker.plans.models import PlanItem

    others = [factory.item(world.plan, kind="project", owner=world.finance, text=f"Dự án của Sở Tài chính {n}",
                           start_year=2021, end_year=2025) for n in range(3)]
    db.session.commit()
    other_ids = {item.id for item in others}
    own = (world.project.text, world.project_group.text)  # its own item and its group's
    as_user(world.reporter)
    db.session.expire_all()
    loaded = set()

    def remember(target, *_args):
        loaded.add(target.id)

    event.listen(PlanItem, "load", remember)
    event.listen(PlanItem, "refresh", remember)
    try:
        html = client.get("/viec-cua-toi").get_data(as_text=True)
    finally:
        event.remove(PlanItem, "load", remember)
        event.remove(PlanItem, "refresh", remember)
    assert all(text in html for text in own)
    assert loaded and not loaded & other_ids
