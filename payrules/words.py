"""How the rules word a problem: English message ids marked for translation (the Django layer
translates them with the catalogue), and a problem naming its field and values. No Django import."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable


def gettext_noop(message: str) -> str:
    """Marks a message for extraction (makemessages knows this name) without translating it."""
    return message


@dataclass(frozen=True)
class Problem:
    """One violated rule: which parameter, and a message template with its values."""

    field: str
    message: str
    params: dict = field(default_factory=dict)

    def render(self, translate: Callable[[str], str] = lambda s: s) -> str:
        params = dict(self.params)
        if "label" in params:
            params["label"] = translate(params["label"])
        return translate(self.message) % params
