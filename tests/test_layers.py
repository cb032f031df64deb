"""The layers of docs/CONVENTIONS.md, enforced by import-linter (.importlinter): the contracts hold,
and an upward import breaks them."""
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LINT = Path(sys.executable).parent / "lint-imports"


def lint(root: Path) -> subprocess.CompletedProcess:
    return subprocess.run([str(LINT), "--no-cache", "--config", str(root / ".importlinter")], cwd=root,
                          env={"PYTHONPATH": str(root), "PATH": str(LINT.parent)}, capture_output=True, text=True,
                          timeout=300)


def test_the_layer_contracts_hold():
    result = lint(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_an_upward_import_breaks_the_contract(tmp_path):
    copy = tmp_path / "repo"
    shutil.copytree(ROOT / "tracker", copy / "tracker", ignore=shutil.ignore_patterns("__pycache__", "static"))
    shutil.copy(ROOT / ".importlinter", copy / ".importlinter")
    services = copy / "tracker" / "periods" / "services.py"
    services.write_text(services.read_text(encoding="utf-8") + "\nfrom tracker.reports import services as _up  # noqa\n",
                        encoding="utf-8")
    result = lint(copy)
    assert result.returncode == 1
    assert "periods and items import nothing above them BROKEN" in result.stdout
    assert "tracker.periods.services -> tracker.reports.services" in result.stdout
