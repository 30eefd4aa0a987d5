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


def _tracked(*suffixes):
    names = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True).stdout.split()
    return [name for name in names if name.endswith(suffixes)]


def test_no_file_outside_the_rules_package_compares_or_names_a_scheme():
    from payrules import SCHEMES

    names = "|".join(re.escape(scheme) for scheme in SCHEMES)
    named = re.compile(rf"[\"']({names})[\"']|\.scheme\s*(==|!=)\s*[\"A-Z]")
    offenders = [name for name in _tracked(".py", ".html")
                 if not name.startswith(("payrules/", "tests/")) and "/migrations/" not in name
                 and named.search((ROOT / name).read_text(encoding="utf-8"))]
    assert offenders == []  # ask SCHEMES[agreement.scheme] (agreement.rules) what it can do


def test_the_rules_reference_covers_every_rule_id_the_code_cites():
    rule_id = re.compile(r"\b(M[1-6]|G[1-8]|S(?:1[01]|[1-9])|J[1-8]|T[1-5]|B[1-6]|D[1-3]|E[1-5])\b")
    cited = set()
    for name in _tracked(".py"):
        if name.startswith(("payrules/", "budgets/", "claims/", "consortia/", "evaluation/")) \
                and "/migrations/" not in name:
            cited |= set(rule_id.findall((ROOT / name).read_text(encoding="utf-8")))
    headed = set(re.findall(r"^### (\w+) ", (ROOT / "docs" / "rules.md").read_text(encoding="utf-8"), re.M))
    assert cited - headed == set()
