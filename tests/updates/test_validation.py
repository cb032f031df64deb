"""Reading numbers the Vietnamese way, and the messages a reporter sees with their typed values kept."""
from decimal import Decimal

import pytest
from sqlalchemy import select

from tests.updates.world import edit_url, form, ids_of
from tracker.updates.models import StatusUpdate
from tracker.updates.validation import InputError, parse_amount, parse_decimal, parse_progress


@pytest.mark.parametrize("text, expected", [
    ("1.500.000.000", 1_500_000_000), ("1500000000", 1_500_000_000), ("1.500.000.000 đ", 1_500_000_000),
    (" 2 000 000 ", 2_000_000), ("0", 0), ("", None), ("750.000đồng", 750_000),
])
def test_amounts(text, expected):
    assert parse_amount(text) == expected


@pytest.mark.parametrize("text, message", [
    ("-5", "không được âm"), ("1,5", "số nguyên đồng"), ("1.5", "số nguyên đồng"), ("1.50.000", "số nguyên đồng"),
    ("một tỷ", "số nguyên đồng"),
])
def test_bad_amounts(text, message):
    with pytest.raises(InputError, match=message):
        parse_amount(text)


@pytest.mark.parametrize("text, expected", [
    ("45,5", Decimal("45.5")), ("45.5", Decimal("45.5")), ("1.234,5", Decimal("1234.5")), ("1.234.567", Decimal("1234567")),
    ("100", Decimal("100")), ("0,25", Decimal("0.25")), ("-3,2", Decimal("-3.2")), ("", None),
    ("1.234.500", Decimal("1234500")), ("12.50", Decimal("12.5")), ("1.5000", Decimal("1.5")), ("1500", Decimal("1500")),
])
def test_decimals(text, expected):
    assert parse_decimal(text) == expected


@pytest.mark.parametrize("text", ["45,5,5", "abc", "1,2345678", "12.34.5", "1,234.5"])
def test_bad_decimals(text):
    with pytest.raises(InputError):
        parse_decimal(text)


@pytest.mark.parametrize("text, expected", [("0", 0), ("100", 100), ("45 %", 45), ("", 0)])
def test_progress(text, expected):
    assert parse_progress(text) == expected


@pytest.mark.parametrize("text", ["101", "-1", "50,5", "năm mươi"])
def test_bad_progress(text):
    with pytest.raises(InputError, match="số nguyên từ 0 đến 100"):
        parse_progress(text)


def test_errors_keep_what_was_typed(client, db, world, as_user):
    as_user(world.reporter)
    response = client.post(edit_url(world.project, world.period), data=form(
        progress="150", amount_committed="1,5 tỷ", amount_disbursed="-200", done_text="Nội dung gõ tay dài.",
        difficulties="Vướng mắc về mặt bằng.", proposals="Đề nghị UBND tỉnh chỉ đạo."))
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Tiến độ phải là số nguyên từ 0 đến 100" in html
    assert "Số tiền phải là số nguyên đồng" in html and "Số tiền không được âm." in html
    for typed in ('value="150"', 'value="1,5 tỷ"', 'value="-200"', "Nội dung gõ tay dài.",
                  "Vướng mắc về mặt bằng.", "Đề nghị UBND tỉnh chỉ đạo."):
        assert typed in html, typed
    # The draft keeps what could be read; the wrong numbers are not stored, nothing is sent.
    assert "Đã lưu nháp phần nội dung hợp lệ; các ô đánh dấu đỏ chưa được lưu" in html
    draft = db.session.scalars(select(StatusUpdate)).one()
    assert (draft.state, draft.progress, draft.amount_committed, draft.amount_disbursed) == ("draft", 0, None, None)
    assert (draft.done_text, draft.difficulties) == ("Nội dung gõ tay dài.", "Vướng mắc về mặt bằng.")
    # The form carries the saved version, so correcting and saving again is not refused as stale.
    assert f'name="lock_version" value="{draft.lock_version}"' in html
    response = client.post(edit_url(world.project, world.period), data=form(
        progress="15", done_text="Nội dung gõ tay dài.", update_id=draft.id, lock_version=draft.lock_version))
    assert response.status_code == 302


def test_submission_needs_what_was_done(client, world, as_user):
    as_user(world.reporter)
    response = client.post(edit_url(world.project, world.period), data=form(done_text="", action="submit"))
    assert response.status_code == 422
    assert "Vui lòng ghi nội dung đã thực hiện" in response.get_data(as_text=True)


def test_done_means_100_percent(client, world, as_user):
    as_user(world.reporter)
    response = client.post(edit_url(world.project, world.period), data=form(status="done", progress="80"))
    assert response.status_code == 422
    assert "tiến độ phải là 100" in response.get_data(as_text=True)


def test_achieved_value_for_targets(client, db, world, as_user):
    as_user(world.reporter_office)
    response = client.post(edit_url(world.target, world.period), data=form(achieved_value="87,5"))
    assert response.status_code == 302
    update = db.session.scalars(select(StatusUpdate).where(StatusUpdate.item_id == world.target.id)).one()
    assert update.achieved_value == Decimal("87.5")
    page = client.get(edit_url(world.target, world.period)).get_data(as_text=True)
    assert 'value="87,5"' in page and "Giá trị đạt được (%)" in page

    response = client.post(edit_url(world.target, world.period), data=form(achieved_value="tám mươi",
                                                                          **ids_of(update)))
    assert response.status_code == 422
    assert "Giá trị phải là một số" in response.get_data(as_text=True)
    db.session.expire_all()
    assert update.achieved_value == Decimal("87.5")  # the stored value is kept


def test_money_only_for_projects_with_a_budget(client, world, as_user):
    as_user(world.reporter)
    response = client.post(edit_url(world.project_nobudget, world.period), data=form(amount_disbursed="1.000.000"))
    assert response.status_code == 422
    assert "không có dòng dự ước kinh phí" in response.get_data(as_text=True)
    page = client.get(edit_url(world.project_nobudget, world.period)).get_data(as_text=True)
    assert "amount_disbursed" not in page
    page = client.get(edit_url(world.project, world.period)).get_data(as_text=True)
    assert "amount_disbursed" in page and "2.000.000.000 đ" in page
    response = client.post(edit_url(world.document, world.period), data=form(achieved_value="5"))
    assert response.status_code == 422 and "Chỉ nhập giá trị đạt được cho chỉ tiêu." in response.get_data(as_text=True)


def test_disbursed_above_budget_is_a_warning_not_a_block(client, db, world, as_user):
    as_user(world.reporter)
    url = edit_url(world.project, world.period)
    response = client.post(url, data=form(amount_committed="2.600.000.000", amount_disbursed="2.500.000.000",
                                          action="submit"), follow_redirects=True)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Đã gửi báo cáo" in html
    assert "Số đã giải ngân 2.500.000.000 đ vượt tổng dự ước kinh phí 2.000.000.000 đ" in html
    update = db.session.scalars(select(StatusUpdate)).one()
    assert update.state == "submitted" and update.amount_disbursed == 2_500_000_000


@pytest.mark.parametrize("text", ["1.500", "12.345", "-1.500", "999.000"])
def test_ambiguous_thousands_dot_is_refused_with_both_readings(text):
    """As money "1.500" is 1500 đ; as an achieved value it used to be 1,5: now it is refused."""
    with pytest.raises(InputError, match="viết .* hoặc .*,") as error:
        parse_decimal(text)
    assert "dấu phẩy là dấu thập phân" in str(error.value)


def test_ambiguous_achieved_value_is_shown_back_with_the_hint(client, db, world, as_user):
    as_user(world.reporter_office)
    response = client.post(edit_url(world.target, world.period), data=form(achieved_value="1.500"))
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "viết 1500 hoặc 1,5" in html and 'value="1.500"' in html
