"""What a wrong sign-in costs, for an existing account and for one that does not exist.

    .venv/bin/python bench/sign_in.py [--rounds 20]

Both should cost the same (one scrypt verification each: a dummy hash for an unknown account), so
the time does not tell an attacker which accounts exist. Prints the median and the spread of the
server time of each, and their ratio (goal: between 0.8 and 1.25). Each attempt comes from its
own client address so that the throttle does not stop the measurement. SQLite in memory.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from config import TestConfig  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args()

    from tracker import create_app
    from tracker.auth.models import User
    from tracker.extensions import db

    class BenchConfig(TestConfig):
        SQLALCHEMY_DATABASE_URI = "sqlite://"
        LOGIN_ADDRESS_MAX_FAILURES = 10**6
        LOGIN_ACCOUNT_MAX_FAILURES = 10**6

    app = create_app(BenchConfig)
    with app.app_context():
        db.create_all()
        user = User(email="co-that@example.vn", role="viewer")
        user.set_password("mat-khau-that-1")  # scrypt, as every real account
        db.session.add(user)
        db.session.commit()
    client = app.test_client()
    times: dict[str, list[float]] = {"tài khoản có thật": [], "tài khoản không tồn tại": []}
    for n in range(args.rounds + 1):
        for label, email in (("tài khoản có thật", "co-that@example.vn"), ("tài khoản không tồn tại", f"khong-co-{n}@example.vn")):
            client.environ_base["REMOTE_ADDR"] = f"10.9.{n // 250}.{n % 250}"
            started = time.perf_counter()
            status = client.post("/dang-nhap", data={"email": email, "password": "sai-mat-khau"}).status_code
            elapsed = time.perf_counter() - started
            assert status == 401, status
            if n:  # the first round warms up (the dummy hash is made once per process)
                times[label].append(elapsed)
    for label, values in times.items():
        print(f"{label:>26}: trung vị {statistics.median(values) * 1000:6.1f} ms, "
              f"nhỏ nhất {min(values) * 1000:6.1f} ms, lớn nhất {max(values) * 1000:6.1f} ms ({len(values)} lần)")
    ratio = statistics.median(times["tài khoản không tồn tại"]) / statistics.median(times["tài khoản có thật"])
    print(f"{'tỉ lệ không tồn tại / có thật':>26}: {ratio:.2f} (mục tiêu 0,80–1,25)")


if __name__ == "__main__":
    main()
