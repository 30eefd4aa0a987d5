"""Printed sheets: the 付款审批单, the clearing statement, the budget approval sheet and the Annex-2
checklist, each as a print layout in the browser and as a PDF (A4, WeasyPrint with the system's CJK
fonts), amounts in figures and in Chinese capitals (大写), closed by signature and seal blocks.

The PDF is made from the same HTML as the print layout, with everything inline: WeasyPrint is
given no way to fetch a URL, so a sheet can never pull in a file or an address it names."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

DIGITS = "零壹贰叁肆伍陆柒捌玖"
SMALL_UNITS = ("", "拾", "佰", "仟")
GROUP_UNITS = ("", "万", "亿", "万亿")
FEN = Decimal("0.01")


def capitals(amount) -> str:
    """An amount of money in Chinese capitals as written on a voucher (会计基础工作规范 第五十二条):
    壹仟陆佰捌拾元零叁角贰分, 壹拾万柒仟元整, 伍角整, 负…; one 零 for each run of zeros. The amount
    must be whole fen: nothing is rounded here."""
    value = Decimal(amount)
    if value != value.quantize(FEN):
        raise ValueError(f"not a whole number of fen: {amount}")
    fen_total = int(abs(value) * 100)
    if fen_total >= 10 ** 18:
        raise ValueError(f"too large to write in capitals: {amount}")
    yuan, rest = divmod(fen_total, 100)
    jiao, fen = divmod(rest, 10)
    written = _whole(yuan) + "元" if yuan else ""
    if not (jiao or fen):
        written = (written or "零元") + "整"
    else:
        if yuan and (yuan % 10 == 0 or jiao == 0):
            written += "零"
        if jiao:
            written += DIGITS[jiao] + "角"
        written += DIGITS[fen] + "分" if fen else "整"
    return ("负" if value < 0 else "") + written


def _whole(number: int) -> str:
    groups = []
    while number:
        number, group = divmod(number, 10000)
        groups.append(group)
    written, gap = "", False
    for index in reversed(range(len(groups))):
        group = groups[index]
        if group == 0:
            gap = bool(written)
            continue
        if written and (gap or group < 1000):
            written += "零"
        written += _group(group) + GROUP_UNITS[index]
        gap = False
    return written


def _group(group: int) -> str:
    written, gap = "", False
    for position in (3, 2, 1, 0):
        digit = group // 10 ** position % 10
        if digit == 0:
            gap = bool(written)
            continue
        if gap:
            written += "零"
            gap = False
        written += DIGITS[digit] + SMALL_UNITS[position]
    return written


def bureau_name(county) -> str:
    """The issuing unit printed on a county's sheets."""
    return _("%(county)s medical insurance bureau") % {"county": county.name}


@dataclass
class Sheet:
    """What every printed sheet carries: its title, the issuing unit, a number, and who signs."""

    title: str
    unit: str
    number: str = ""
    signers: list = field(default_factory=list)  # (role, name already on record or "")
    seals: list = field(default_factory=list)  # whose seal: the bureau, the consortium

    @staticmethod
    def signer(role, person) -> tuple[str, str]:
        return str(role), (person.get_full_name() or person.username) if person else ""


SIGNED_BY = (gettext_lazy("Prepared by"), gettext_lazy("Reviewed by"), gettext_lazy("Person in charge"))


def page_counter() -> str:
    """The CSS content of the page footer, '第 1 页，共 2 页' in the language of the sheet."""
    before, rest = _("Page %(page)s of %(pages)s").split("%(page)s")
    middle, after = rest.split("%(pages)s")
    return f'"{before}" counter(page) "{middle}" counter(pages) "{after}"'


def printed(request, template: str, context: dict, *, sheet: Sheet, filename: str, pdf: bool) -> HttpResponse:
    """The sheet as a print layout (with a print button and a PDF link), or as the PDF itself."""
    context = {**context, "sheet": sheet, "page_counter": page_counter(), "pdf": pdf,
               "printed_at": timezone.localtime(), "printed_by": request.user}
    html = render_to_string(template, context, request=request)
    if not pdf:
        return HttpResponse(html)
    response = HttpResponse(pdf_bytes(html), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}.pdf"'
    return response


def pdf_bytes(html: str) -> bytes:
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    return HTML(string=html, url_fetcher=URLFetcher(allowed_protocols=("data",))).write_pdf()
