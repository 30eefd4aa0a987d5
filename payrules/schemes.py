"""The payment schemes the product knows, by id. A new scheme is one module building one
`Scheme` (see scheme.py), added here."""

from .guangdong import GUANGDONG
from .jiangmen import JIANGMEN
from .scheme import Scheme
from .shexian import SHEXIAN
from .tianjin import TIANJIN

SCHEMES: dict[str, Scheme] = {scheme.id: scheme for scheme in (GUANGDONG, SHEXIAN, JIANGMEN, TIANJIN)}


def scheme_choices() -> list[tuple[str, str]]:
    """(id, label message id) of every scheme, for a choice field."""
    return [(scheme.id, scheme.label) for scheme in SCHEMES.values()]


def schemes_with(**capabilities) -> list[str]:
    """The ids of the schemes that have these capabilities, e.g. schemes_with(capitation=True)."""
    return [s.id for s in SCHEMES.values() if all(getattr(s, name) == value for name, value in capabilities.items())]
