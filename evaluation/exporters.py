"""Workbooks for the province: one consortium's Annex-2 evaluation laid out like the document
(checklist, supervision indicators, negative list; Jiangmen agreements add the quarterly set),
and the provincial summary across counties, streamed in write-only mode (it runs as a job)."""

from __future__ import annotations

from decimal import Decimal
from typing import IO

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from consortia.printing import bureau_name
from consortia.exports import (Rate, WorkbookExport, cell, print_setup, put, register, sheet_title, signature_line,
                               signatures)
from consortia.glossary import figure as shown_number
from consortia.glossary import word
from consortia.models import Consortium
from payrules import schemes_with

from .indicators import jiangmen_quarterly, supervision_indicators
from .models import Evaluation, NegativeFinding

FONT = "SimSun"  # 宋体, as provincial forms are printed
WIDTHS = {"A": 7, "B": 66, "C": 12, "D": 8, "E": 8, "F": 40, "G": 34}


def _style(cell, *, bold=False, size=11, wrap=True, center=False):
    from openpyxl.styles import Alignment, Border, Font, Side

    thin = Side(style="thin")
    cell.font = Font(name=FONT, bold=bold, size=size)
    cell.alignment = Alignment(wrap_text=wrap, vertical="center", horizontal="center" if center else None)
    cell.border = Border(left=thin, right=thin, top=thin, bottom=thin)
    return cell


def _printable(sheet, *, header_row: int, title: str):
    sheet.freeze_panes = sheet.cell(row=header_row + 1, column=1)
    print_setup(sheet, title=title, header_rows=f"{header_row}:{header_row}")
    sheet.print_options.horizontalCentered = True


def _signed(sheet, row: int) -> None:
    """The signature line under the last row of a sheet the bureau files."""
    signatures(sheet, row + 2)


def figure_text(figure: dict) -> str:
    if not figure:
        return ""
    value = figure.get("value")
    shown = str(Rate(value)) if figure.get("unit") == "share" else (value or "—")
    text = _("Computed: %(value)s (%(formula)s)") % {"value": shown, "formula": figure.get("formula", "")}
    if figure.get("last_year") is not None:
        last = figure["last_year"]
        text += _("; last year %(value)s") % {"value": str(Rate(last)) if figure.get("unit") == "share" else last}
    return text


def _inputs(inputs: dict) -> str:
    """A figure's inputs as a clerk reads them: 县域内住院人次 = 2,495；住院人次 = 3,120."""
    return "；".join(f"{word(key)} = {shown_number(value, key)}" for key, value in inputs.items())


def annex2_response(evaluation: Evaluation):
    """The Annex-2 workbook as a download."""
    return Annex2Workbook(evaluation).response("xlsx")


def annex2_workbook(evaluation: Evaluation, out: IO[bytes]) -> None:
    Annex2Workbook(evaluation).xlsx_write(out)


@register
class Annex2Workbook(WorkbookExport):
    """One consortium's year, as the bureau files it with the province."""

    identifier = "annex2"
    title = gettext_lazy("Annex-2 workbook")

    def __init__(self, evaluation: Evaluation):
        self.evaluation = evaluation

    def filename(self) -> str:
        return f"annex2-{self.evaluation.consortium.code}-{self.evaluation.year}"

    def workbook(self, book) -> None:
        _annex2(book, self.evaluation)


def _annex2(workbook, evaluation: Evaluation) -> None:
    consortium = evaluation.consortium
    sheet = workbook.active
    sheet.title = sheet_title(_("Checklist"))
    template = evaluation.template
    for column, width in WIDTHS.items():
        sheet.column_dimensions[column].width = width
    sheet.merge_cells("A1:G1")
    _style(put(sheet, 1, 1, template.title), bold=True, size=16, center=True)
    sheet.merge_cells("A2:G2")
    _style(put(sheet, 2, 1, template.source), center=True)
    heading = [
        (_("Reporting unit"), bureau_name(consortium.county)),
        (_("County"), f"{consortium.county.city.name} {consortium.county.name}"),
        (_("Consortium"), consortium.name),
        (_("Year"), evaluation.year),
        (_("Status"), evaluation.get_status_display()),
        (_("Total score"), evaluation.total_score if evaluation.total_score is not None else "—"),
    ]
    row = 3
    for label, value in heading:
        _style(put(sheet, row, 1, label), bold=True)
        sheet.merge_cells(start_row=row, start_column=2, end_row=row, end_column=7)
        _style(put(sheet, row, 2, value))
        row += 1
    header_row = row
    for column, title in enumerate([_("No."), _("Item"), _("Result"), _("Score"), _("Full marks"), _("Evidence"),
                                    _("Remarks")], 1):
        _style(put(sheet, row, column, title), bold=True, center=True)
    results = {r.item.number: r for r in evaluation.results.select_related("item")}
    section = None
    for item in template.items.all():
        if item.section != section:
            section = item.section
            row += 1
            sheet.merge_cells(start_row=row, start_column=1, end_row=row, end_column=7)
            _style(put(sheet, row, 1, template.section_heading(section)), bold=True)
        row += 1
        result = results.get(item.number)
        _style(sheet.cell(row=row, column=1, value=item.number), center=True)
        _style(put(sheet, row, 2, item.text))
        _style(put(sheet, row, 3, result.get_result_display() if result and result.result else "—"), center=True)
        _style(put(sheet, row, 4, result.score if result and result.score is not None else "—"), center=True)
        _style(put(sheet, row, 5, item.weight), center=True)
        files = ", ".join(f.name for f in result.files.all()) if result else ""
        _style(put(sheet, row, 6, "\n".join(t for t in (result.evidence if result else "", files) if t)))
        _style(put(sheet, row, 7, figure_text(result.figure) if result else ""))
    row += 2
    people = [(_("Filled in by"), evaluation.created_by), (_("Submitted by"), evaluation.submitted_by),
              (_("Confirmed by"), evaluation.confirmed_by)]
    for label, person in people:
        put(sheet, row, 1, label, bold=True)
        sheet.merge_cells(start_row=row, start_column=2, end_row=row, end_column=3)
        put(sheet, row, 2, person.get_full_name() if person else "—")
        row += 1
    _signed(sheet, row - 1)
    _printable(sheet, header_row=header_row, title=f"{consortium.name} {template.title}")
    _indicator_sheet(workbook, evaluation)
    _negative_sheet(workbook, evaluation)
    if evaluation.consortium.agreements.filter(year=evaluation.year,
                                               scheme__in=schemes_with(quarterly_indicators=True)).exists():
        _quarterly_sheet(workbook, evaluation)


def _indicator_sheet(workbook, evaluation: Evaluation) -> None:
    sheet = workbook.create_sheet(sheet_title(_("Supervision indicators")))
    titles = [_("Indicator"), _("This year"), _("Last year"), _("Threshold"), _("Verdict"), _("Formula and inputs")]
    for column, (title, width) in enumerate(zip(titles, (44, 14, 14, 16, 12, 60), strict=True), 1):
        sheet.column_dimensions["ABCDEF"[column - 1]].width = width
        _style(put(sheet, 1, column, title), bold=True, center=True)
    row = 1
    for figure in supervision_indicators(consortium=evaluation.consortium, year=evaluation.year):
        row += 1
        verdict = "—" if figure.verdict is None else _("met (达标)") if figure.verdict else _("not met (未达标)")
        inputs = _inputs(figure.as_dict()["inputs"])
        for column, value in enumerate([str(figure.label), Rate(figure.value), Rate(figure.last_year),
                                        str(figure.threshold), verdict, f"{figure.formula}\n{inputs}"], 1):
            _style(put(sheet, row, column, value))
    for entry in evaluation.indicator_entries.all():
        row += 1
        for column, value in enumerate([entry.get_key_display(), entry.value or "—", "", "",
                                        entry.get_verdict_display() if entry.verdict else "—", entry.evidence], 1):
            _style(put(sheet, row, column, value))
    _signed(sheet, row)
    _printable(sheet, header_row=1, title=f"{evaluation.consortium.name} {sheet.title}")


def _negative_sheet(workbook, evaluation: Evaluation) -> None:
    sheet = workbook.create_sheet(sheet_title(_("Negative list")))
    titles = [_("Situation"), _("Findings"), _("Status"), _("Description"), _("Evidence")]
    for column, (title, width) in enumerate(zip(titles, (40, 10, 20, 60, 40), strict=True), 1):
        sheet.column_dimensions["ABCDE"[column - 1]].width = width
        _style(put(sheet, 1, column, title), bold=True, center=True)
    findings = NegativeFinding.objects.filter(consortium=evaluation.consortium, year=evaluation.year)
    row = 1
    for situation, label in NegativeFinding.Situation.choices:
        mine = [f for f in findings if f.situation == situation]
        row += 1
        _style(put(sheet, row, 1, label))
        _style(put(sheet, row, 2, len([f for f in mine if f.status == NegativeFinding.Status.CONFIRMED])), center=True)
        _style(put(sheet, row, 3, "\n".join(f"{f.get_source_display()}: {f.get_status_display()}" for f in mine)
                   or _("none")))
        _style(put(sheet, row, 4, "\n".join(f.description for f in mine)))
        _style(put(sheet, row, 5, "\n".join(f.evidence for f in mine if f.evidence)))
    _signed(sheet, row)
    _printable(sheet, header_row=1, title=f"{evaluation.consortium.name} {sheet.title}")


def _quarterly_sheet(workbook, evaluation: Evaluation) -> None:
    from .indicators import E4

    sheet = workbook.create_sheet(sheet_title(_("Quarterly indicators")))
    titles = [_("member code"), _("member"), _("quarter")] + [str(label) for _k, label, _u, _l in E4]
    for column, title in enumerate(titles, 1):
        _style(put(sheet, 1, column, title), bold=True, center=True)
    row = 1
    for entry in jiangmen_quarterly(consortium=evaluation.consortium, year=evaluation.year):
        row += 1
        put(sheet, row, 1, entry["member"].code)
        put(sheet, row, 2, entry["member"].name)
        put(sheet, row, 3, _("Q%(q)s") % {"q": entry["quarter"]})
        for column, figure in enumerate(entry["figures"], 4):
            value = Rate(figure.value) if figure.unit == "share" else figure.value
            put(sheet, row, column, "—" if figure.value is None else value)
    _signed(sheet, row)
    _printable(sheet, header_row=1, title=f"{evaluation.consortium.name} {sheet.title}")


def province_workbook(consortia, year: int, out: IO[bytes], progress=None) -> int:
    """Writes the provincial summary; returns how many consortia it has."""
    export = ProvinceSummaryWorkbook(consortia=consortia, year=year, progress=progress)
    export.xlsx_write(out)
    return export.count


@register
class ProvinceSummaryWorkbook(WorkbookExport):
    """One row per consortium (the provinces in `consortia`), a column per checklist item and
    computed indicator, the average on the last row. Streamed: write-only, row by row;
    `progress(n)` hears of each row."""

    identifier = "province-summary"
    title = gettext_lazy("Provincial summary")
    write_only = True

    def __init__(self, *, consortia, year: int, progress=None):
        self.consortia, self.year, self.progress = consortia, year, progress
        self.count = 0

    def filename(self) -> str:
        return f"province-summary-{self.year}"

    def workbook(self, book) -> None:
        from openpyxl.styles import Font

        consortia, year = self.consortia, self.year
        sheet = book.create_sheet(sheet_title(self.title))
        sheet.freeze_panes = "D2"
        title = _("%(title)s %(year)s") % {"title": self.title, "year": year}
        print_setup(sheet, title=title)
        bold = Font(name=FONT, bold=True)
        evaluations = {(e.consortium_id): e for e in Evaluation.objects.filter(year=year, consortium__in=consortia)
                       .select_related("template")}
        numbers = sorted({n for e in evaluations.values() for n in e.template.items.values_list("number", flat=True)}
                         or range(1, 18))
        indicator_keys = ["in_county_inpatient_share", "cost_growth", "self_pay_rate", "readmission_rate"]
        header = ([_("county"), _("consortium"), _("status"), _("total score")]
                  + [_("item %(n)s") % {"n": n} for n in numbers]
                  + [_("in-county share of admissions"), _("cost growth"), _("self-pay rate"), _("readmission rate"),
                     _("confirmed negative findings")])
        sheet.append([cell(sheet, h, font=bold) for h in header])
        totals = [Decimal("0")] * (len(numbers) + 1)
        counted = [0] * (len(numbers) + 1)
        for consortium in consortia.select_related("county").order_by("county__code", "code").iterator():
            evaluation = evaluations.get(consortium.pk)
            scores = {}
            if evaluation:
                scores = {r.item.number: r.score for r in evaluation.results.select_related("item")}
            figures = {f.key: f.value for f in supervision_indicators(consortium=consortium, year=year)}
            confirmed = NegativeFinding.objects.filter(consortium=consortium, year=year,
                                                       status=NegativeFinding.Status.CONFIRMED).count()
            values = [consortium.county.name, consortium.name,
                      evaluation.get_status_display() if evaluation else _("not started"),
                      evaluation.total_score if evaluation else None] + [scores.get(n) for n in numbers]
            for index, value in enumerate([values[3]] + values[4:]):
                if value is not None:
                    totals[index] += value
                    counted[index] += 1
            values += [Rate(figures.get(k)) for k in indicator_keys] + [confirmed]
            sheet.append([cell(sheet, v) for v in values])
            self.count += 1
            if self.progress:
                self.progress(self.count)
        averages = [(t / c).quantize(Decimal("0.01")) if c else None for t, c in zip(totals, counted, strict=True)]
        sheet.append([cell(sheet, _("average"), font=bold), cell(sheet, ""), cell(sheet, "")]
                     + [cell(sheet, a, font=bold) for a in averages])
        sheet.append([])
        sheet.append([cell(sheet, label, font=bold) for label in signature_line()])


def consortia_for_summary(user=None, province=None):
    from consortia.selectors import scope_queryset

    consortia = Consortium.objects.all()
    if province is not None:
        consortia = consortia.filter(county__city__province=province)
    return scope_queryset(user, consortia) if user is not None else consortia

