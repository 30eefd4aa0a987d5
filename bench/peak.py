"""`python -m bench.peak OUT command args...`: runs a management command and writes the process's
peak resident memory (VmHWM, KiB) to OUT. Read from /proc, not getrusage: the kernel carries the
parent's high-water mark across fork and exec into ru_maxrss."""

import atexit
import os
import sys
from pathlib import Path


def _write_peak(out: Path) -> None:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            out.write_text(line.split()[1])


if __name__ == "__main__":
    out = Path(sys.argv[1])
    atexit.register(_write_peak, out)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["manage.py", *sys.argv[2:]])
