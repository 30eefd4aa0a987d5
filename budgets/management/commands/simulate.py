"""`python manage.py simulate FILE.json [--out OUT.json] [--scheme ID]`: the feasibility study."""

import json
import sys
from pathlib import Path

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from budgets.simulations import scenario_parse, simulation_run


class Command(BaseCommand):
    help = "Run a scenario/1 file through the money engine and write the result as JSON."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--out", type=Path, help="write the result here instead of standard output")
        parser.add_argument("--scheme", help="run the same inputs under another scheme")

    def handle(self, *args, file: Path, out: Path | None, scheme: str | None, **options):
        try:
            data = scenario_parse(file.read_bytes())
        except OSError as error:
            self._fail(_("Cannot read %(file)s: %(error)s") % {"file": file, "error": error.strerror})
        except ValueError as error:
            self._fail(str(error))
        (outcome,) = simulation_run(data=data, schemes=[scheme] if scheme else None)
        if outcome.errors:
            self._fail("; ".join(f"{e['message']}" for e in outcome.errors))
        text = json.dumps(outcome.output, ensure_ascii=False, indent=2) + "\n"
        if out:
            out.write_text(text, encoding="utf-8")
        else:
            self.stdout.write(text, ending="")

    def _fail(self, message: str):
        # One line naming the field, status 2: a malformed file is the caller's, never a traceback.
        self.stderr.write(message.replace("\n", " "))
        sys.exit(2)
