"""Where the golden scenarios are: `../shared/scenarios` beside the project (as CI lays it out),
or the folder SHARED_DIR names."""

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SCENARIOS = Path(os.environ.get("SHARED_DIR") or ROOT.parent / "shared") / "scenarios"
