"""A DTI campaign's world: the national framework "DTI cấp tỉnh 2024" loaded from seed_plans/ (with
the Đồng Nai units its source names) and the two provinces of tests/provinces.py."""
from __future__ import annotations

from pathlib import Path

import pytest

SEEDS = Path(__file__).resolve().parents[2] / "seed_plans"


@pytest.fixture
def dti_framework(db):
    from tracker.indicators.selfassessment import find_framework
    from tracker.plans.loader import load_paths

    load_paths([SEEDS / "units" / "dong-nai.yaml", SEEDS / "frameworks" / "dti-cap-tinh-2024.yaml"])
    db.session.flush()
    return find_framework("DTI cấp tỉnh 2024")
