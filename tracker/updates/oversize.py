"""A report form sent with files over the upload limit (HTTP 413): answered with the form again, the
limit stated and what was typed kept, instead of a bare error page.

The body is over the limit, so Flask refuses to parse it. The text fields come before the file
input in the form (browsers send parts in the form's order), so they are read here from the start
of the body with Werkzeug's incremental multipart decoder; file contents are read past, never kept.
The rest of the body is drained (up to a bound) so that the browser receives the answer rather than
a reset connection. Nothing is saved: the page says so.
"""
from __future__ import annotations

import io

from flask import current_app, request
from flask_login import current_user
from werkzeug.datastructures import ImmutableMultiDict
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.http import parse_options_header
from werkzeug.sansio.multipart import Data, Epilogue, Field, File, MultipartDecoder, NeedData

from tracker.updates.validation import FIELDS

FIELD_LIMIT = 64 * 1024  # a text part longer than this is cut (the real form's limit is lower)
DRAIN_FACTOR = 10  # read at most this many times the limit before giving up on the body


def limit_text(limit: int | None = None) -> str:
    limit = limit if limit is not None else current_app.config["MAX_CONTENT_LENGTH"]
    return f"{limit // (1024 * 1024)} MB" if limit >= 1024 * 1024 else f"{limit // 1024} KB"


def typed_fields(environ, content_type: str, limit: int) -> dict[str, str]:
    """The text fields at the start of a multipart body; file parts are skipped."""
    mimetype, options = parse_options_header(content_type)
    boundary = options.get("boundary")
    stream = environ.get("wsgi.input")
    if mimetype != "multipart/form-data" or not boundary or stream is None:
        return {}
    decoder = MultipartDecoder(boundary.encode("latin-1"), max_form_memory_size=FIELD_LIMIT)
    fields: dict[str, str] = {}
    current: str | None = None
    buffer = bytearray()
    budget = limit * DRAIN_FACTOR
    finished = False
    try:
        while budget > 0 and not finished:
            chunk = stream.read(min(64 * 1024, budget))
            budget -= len(chunk)
            decoder.receive_data(chunk or None)
            while True:
                event = decoder.next_event()
                if isinstance(event, NeedData):
                    break
                if isinstance(event, Epilogue):
                    finished = True
                    break
                if isinstance(event, File):
                    current = None
                elif isinstance(event, Field):
                    current, buffer = event.name, bytearray()
                elif isinstance(event, Data) and current is not None:
                    if len(buffer) < FIELD_LIMIT:
                        buffer.extend(event.data)
                    if not event.more_data:
                        fields.setdefault(current, buffer.decode("utf-8", "replace"))
                        current = None
            if not chunk:
                break
    except Exception:  # noqa: BLE001 - a malformed body: keep what was read
        pass
    return fields


def register(bp) -> None:
    @bp.errorhandler(RequestEntityTooLarge)
    def too_large(error):
        from tracker.updates import routes

        if request.endpoint != "updates.edit" or not current_user.is_authenticated:
            return error
        item_id, period_code = request.view_args["item_id"], request.view_args["period_code"]
        item = routes._item_or_404(item_id)
        period = routes._period_or_404(period_code, item.tenant_id)
        from tracker.core.time import today_local
        from tracker.updates.policy import can_write_update

        if not can_write_update(current_user, item, period, today_local()):
            return error
        limit = current_app.config["MAX_CONTENT_LENGTH"]
        fields = typed_fields(request.environ, request.headers.get("Content-Type", ""), limit)
        # The body is read: what Flask would have parsed is empty now (the CSRF form renders afresh).
        request.__dict__.update(form=ImmutableMultiDict(), files=ImmutableMultiDict(), stream=io.BytesIO())
        typed = {name: fields.get(name, "") for name in FIELDS}
        ids = (routes._int(fields.get("update_id")), routes._int(fields.get("lock_version")))
        message = (f"Các tệp đã chọn vượt quá dung lượng cho phép ({limit_text(limit)} cho mỗi lần gửi) nên báo cáo "
                   "CHƯA được lưu. Nội dung bạn nhập được giữ nguyên bên dưới: chọn tệp nhỏ hơn (hoặc gửi từng tệp) "
                   "rồi lưu lại.")
        return routes._render_edit(item, period, typed=typed, form_ids=ids, files_lost=True, status=413,
                                   errors={"evidence": f"Tệp quá lớn: tối đa {limit_text(limit)} cho mỗi lần gửi."},
                                   message=message)
