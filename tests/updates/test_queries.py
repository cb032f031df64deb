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
