"""PostgreSQL's own client tools (pg_dump, pg_restore, psql), run on the application's database URL.

The password never appears on a command line (where `ps` shows it): it goes in PGPASSWORD.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import threading
from pathlib import Path

from sqlalchemy.engine import URL

from tracker.ops.archive import CHUNK, BackupError

DEBIAN_PACKAGE = "postgresql-client"


def tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupError(f"Không tìm thấy lệnh {name}: cài gói {DEBIAN_PACKAGE} "
                          f"(Debian/Ubuntu: apt-get install {DEBIAN_PACKAGE}).")
    return path


def libpq(url: URL) -> tuple[str, dict[str, str]]:
    """A libpq connection URI without the password, and the environment that carries it."""
    env = {**os.environ}
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    uri = url.set(drivername="postgresql", password=None).render_as_string(hide_password=False)
    return uri, env


def version(name: str) -> str:
    return subprocess.run([tool(name), "--version"], capture_output=True, text=True, check=True).stdout.strip()


def _failed(name: str, stderr: str) -> BackupError:
    lines = [line for line in stderr.strip().splitlines() if line.strip()][-5:]
    return BackupError(f"{name} báo lỗi: " + (" / ".join(lines) or "không rõ lý do"))


def dump(url: URL, out: Path, *, snapshot: str) -> None:
    """pg_dump in custom format of the exported snapshot `snapshot` (the backup's transaction)."""
    uri, env = libpq(url)
    result = subprocess.run(
        [tool("pg_dump"), "--format=custom", "--no-owner", "--no-privileges", f"--snapshot={snapshot}",
         f"--file={out}", f"--dbname={uri}"],
        env=env, capture_output=True, text=True,
    )
    if result.returncode != 0:
        raise _failed("pg_dump", result.stderr)


def restore(url: URL, dump_file: Path, *, before: str, after: str) -> None:
    """pg_restore's SQL for `dump_file`, between `before` and `after`, run by psql in ONE
    transaction that stops at the first error: the database gets all of it or none of it."""
    uri, env = libpq(url)
    producer = subprocess.Popen(
        [tool("pg_restore"), "--no-owner", "--no-privileges", "--file=-", str(dump_file)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
    )
    consumer = subprocess.Popen(
        [tool("psql"), "--no-psqlrc", "--quiet", "--single-transaction", "--set=ON_ERROR_STOP=1",
         "--file=-", f"--dbname={uri}"],
        stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env,
    )
    errors: dict[str, bytes] = {}
    readers = [threading.Thread(target=lambda n=n, p=p: errors.__setitem__(n, p.stderr.read()))
               for n, p in (("pg_restore", producer), ("psql", consumer))]
    for reader in readers:
        reader.start()
    try:
        consumer.stdin.write(before.encode("utf-8"))
        while chunk := producer.stdout.read(CHUNK):
            consumer.stdin.write(chunk)
        if producer.wait() != 0:
            # psql would commit what it got at the end of its input: drop its connection instead,
            # and the server rolls the transaction back.
            consumer.kill()
        else:
            consumer.stdin.write(after.encode("utf-8"))
    except BrokenPipeError:  # psql stopped at an error: its stderr says which
        pass
    finally:
        producer.stdout.close()
        try:
            consumer.stdin.close()
        except BrokenPipeError:
            pass
        consumer.wait()
        producer.wait()
        for reader in readers:
            reader.join()
        producer.stderr.close()
        consumer.stderr.close()
    if producer.returncode != 0:
        raise _failed("pg_restore", errors.get("pg_restore", b"").decode("utf-8", "replace"))
    if consumer.returncode != 0:
        raise _failed("psql", errors.get("psql", b"").decode("utf-8", "replace"))
