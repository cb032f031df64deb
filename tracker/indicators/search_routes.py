"""The searchable item picker of the framework page's link form: the server finds items of a plan by
code or words (diacritics ignored); static/app.js offers them as the coordinator types. Without
script the field still takes a typed code."""
from __future__ import annotations

from flask import jsonify, request
from sqlalchemy import or_, select

from tracker.auth.permissions import coordinator_required
from tracker.core.security import optional_id
from tracker.core.text import fold_search
from tracker.extensions import db
from tracker.indicators.routes import bp
from tracker.plans.models import Plan, PlanItem

SUGGESTIONS = 20


@bp.get("/bo-chi-so/tim-hang-muc")
@coordinator_required
def search_items():
    plan_id = optional_id(request.args.get("ke-hoach"))
    words = (request.args.get("q") or "").strip()[:120]
    if plan_id is None or len(words) < 2:
        return jsonify(items=[])
    db.get_or_404(Plan, plan_id)  # another province's plan is not there
    folded = fold_search(words)
    rows = db.session.execute(
        select(PlanItem.ref, PlanItem.code, PlanItem.text)
        .where(PlanItem.plan_id == plan_id, PlanItem.kind != "budget",
               or_(PlanItem.search_text.contains(folded, autoescape=True),
                   PlanItem.ref.startswith(words, autoescape=True)))
        .order_by(PlanItem.ref != words, PlanItem.appendix_id, PlanItem.position, PlanItem.id)  # the exact code first
        .limit(SUGGESTIONS)
    ).all()
    return jsonify(items=[{"ref": ref, "label": f"{ref} · {text[:140]}"} for ref, code, text in rows])
