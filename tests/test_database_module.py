"""Where PostgreSQL and SQLite differ is decided in one module, consortia/database.py: nothing
else asks a connection for its vendor, so the next difference has one home."""

import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_only_the_database_module_looks_at_the_vendor():
    # Tracked and new files alike (a file not yet committed is checked too); .venv is ignored by git.
    names = subprocess.run(["git", "ls-files", "--cached", "--others", "--exclude-standard", "*.py"], cwd=ROOT,
                           capture_output=True, text=True, check=True).stdout.splitlines()
    offenders = [name for name in names
                 if name != "consortia/database.py" and not name.startswith(("tests/", ".venv/"))
                 and (ROOT / name).exists() and ".vendor" in (ROOT / name).read_text(encoding="utf-8")]
    assert offenders == []  # ask consortia.database (is_postgresql, has_copy, sums_exactly, ...)
