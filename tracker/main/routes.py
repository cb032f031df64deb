"""The home page."""
from flask import Blueprint, render_template

from tracker.main.services import plan_summaries

bp = Blueprint("main", __name__)


@bp.get("/")
def index():
    return render_template("main/index.html", summaries=plan_summaries())
