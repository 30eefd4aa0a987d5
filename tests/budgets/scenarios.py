"""Where the golden scenarios are: `tests/scenarios` in the project (inputs and the exact expected
outputs; the format is docs/scenarios.md)."""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SCENARIOS = ROOT / "tests" / "scenarios"
