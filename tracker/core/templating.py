"""Values every template can use."""
from tracker.auth.models import ROLE_LABELS
from tracker.plans.models import ITEM_KIND_LABELS, STATUS_LABELS


def template_globals() -> dict:
    return {
        "STATUS_LABELS": STATUS_LABELS,
        "ITEM_KIND_LABELS": ITEM_KIND_LABELS,
        "ROLE_LABELS": ROLE_LABELS,
    }
