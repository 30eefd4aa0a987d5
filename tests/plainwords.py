"""What a county clerk who reads no English would stumble on in a page: the text shown (and the
words a screen reader or a tooltip says) checked for programmer words — snake_case identifiers,
True/False/None, and English words outside a short list of terms a Chinese bureau uses as they are
(Excel, CSV, DRG, DIP…). Data the users entered themselves (login names, codes) is allowed."""

import functools
import re
from html.parser import HTMLParser

# Terms written in Latin letters in Chinese bureau practice, and units.
ALLOWED = {
    "excel", "csv", "xlsx", "drg", "drgs", "dip", "id", "his", "pdf", "api", "ip", "url", "utc", "cst",
    "openapi", "json", "ca", "vs", "no", "ok", "a4", "www", "http", "https",
    "ldap", "sha256",
    "english",  # the language switch names each language in its own words
}
SHOWN_ATTRIBUTES = ("title", "placeholder", "aria-label", "alt")
SNAKE = re.compile(r"\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b")
FLAG = re.compile(r"\b(True|False|None|null|undefined|NaN)\b")
LATIN = re.compile(r"[A-Za-z][A-Za-z'’]+")


class _Shown(HTMLParser):
    """Collects the text a reader sees (not scripts, styles or hidden templates)."""

    HIDDEN = {"script", "style", "template", "noscript"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.pieces: list[str] = []
        self.hidden = 0

    def handle_starttag(self, tag, attrs):
        if tag in self.HIDDEN:
            self.hidden += 1
            return
        attrs = dict(attrs)
        for name in SHOWN_ATTRIBUTES:
            if attrs.get(name):
                self.pieces.append(attrs[name])
        if tag == "input" and attrs.get("type") in ("submit", "button") and attrs.get("value"):
            self.pieces.append(attrs["value"])

    def handle_endtag(self, tag):
        if tag in self.HIDDEN and self.hidden:
            self.hidden -= 1

    def handle_data(self, data):
        if not self.hidden and data.strip():
            self.pieces.append(data.strip())


def shown_text(html: str) -> list[str]:
    parser = _Shown()
    parser.feed(html)
    return parser.pieces


@functools.lru_cache(maxsize=8)
def _data_pattern(data_words: frozenset[str]) -> re.Pattern | None:
    if not data_words:
        return None
    return re.compile("|".join(re.escape(w) for w in sorted(data_words, key=len, reverse=True)))


NOT_WORDS = re.compile(r"\S+@\S+|\S+\.(?:xlsx|csv|txt|json)\b|(?<![\w>])/[\w/.?=&-]*")  # e-mail, files, addresses
CODES = re.compile(r"[A-Za-z0-9]*[-\d][A-Za-z0-9-]*")  # SX-YGT-01, Q1, AWK-2025: capitals joined to digits


def _platform_codes() -> frozenset[str]:
    """The national platform's field codes (setl_id, med_type…): the headers of the files it exports,
    which the clerk meets as they are, like an institution's code."""
    from claims.columns import COLUMNS
    from claims.dip_catalogue import COLUMNS as CATALOGUE
    from claims.reconciliation import COLUMNS as TOTALS

    return frozenset(alias for columns in (COLUMNS, TOTALS, CATALOGUE) for aliases in columns.values() for alias in aliases
                     if alias.isascii())


def programmer_words(html: str, data_words: frozenset[str] = frozenset()) -> list[str]:
    """The programmer words in a page, in order, each once. `data_words` (login names, codes) are
    what users entered and read back as it is."""
    pattern = _data_pattern(data_words | _platform_codes())
    found: list[str] = []
    for piece in shown_text(html):
        cleaned = pattern.sub(" ", piece) if pattern else piece
        cleaned = NOT_WORDS.sub(" ", cleaned)
        hits = SNAKE.findall(cleaned) + FLAG.findall(cleaned)
        hits += [w for w in LATIN.findall(CODES.sub(" ", SNAKE.sub(" ", cleaned))) if w.lower() not in ALLOWED]
        for hit in hits:
            if hit not in found:
                found.append(hit)
    return found
