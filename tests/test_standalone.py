"""The project stands alone: nothing it ships points outside the repository, and the rules
reference it cites is its own."""

import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_no_file_points_outside_the_repository():
    files = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True).stdout.split()
    outside = re.compile(r"\.\./shared|shared/(POLICY|STYLE)\.md|shared/scenarios")
    found = [name for name in files if name.endswith((".py", ".md", ".html", ".txt", ".toml", ".ini", ".cfg"))
             or name in ("Makefile", ".ci/run")]
    offenders = [name for name in found if name != "tests/test_standalone.py"
                 and outside.search((ROOT / name).read_text(encoding="utf-8", errors="replace"))]
    assert offenders == []


def test_the_golden_scenarios_and_their_format_are_in_the_project():
    assert len(list((ROOT / "tests" / "scenarios").glob("*.expected.json"))) >= 8
    assert (ROOT / "docs" / "scenarios.md").exists() and (ROOT / "docs" / "rules.md").exists()
