"""Reporting completeness lives in `tracker.periods.completeness` (one module for the period grid,
the dashboard and the unit pages); these names stay importable from here."""
from tracker.periods.completeness import (  # noqa: F401
    COMPLETENESS_LABELS,
    SUBMITTED_STATES,
    Completeness,
    UpdateKey,
    completeness,
    latest_update_states,
)
