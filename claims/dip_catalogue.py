"""The DIP disease catalogue (病种目录) of a pooling area, by version: uploaded whole (CSV or XLSX,
the platform's field codes or the Chinese headers) and read by D1-D3 through `Scores`, which gives
a case its score from the catalogue in force for the year: by its group code, or, for a claim
without one, by its main diagnosis among the groups defined without an operation (保守治疗)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from consortia.models import County, User
from consortia.tabular import RowError, TableError, read_table, refuse_unless_whole, text_cell
from payrules.rules import dip_case_score

from .models import Claim, DipCatalogue, DipGroup

COLUMNS = {
    "dip_code": ("病种分值组编码", "病种编码", "DIP病种编码", "dip_code"),
    "diagnosis": ("主诊断编码", "诊断编码", "diag_code"),
    "operation": ("手术操作编码", "oprn_oprt_code"),
    "type": ("病种类型", "dip_type"),
    "score": ("病种分值", "分值", "dip_score"),
}
OPTIONAL = {"operation"}
TYPES = {"核心": "core", "核心病种": "core", "core": "core", "综合": "comprehensive", "综合病种": "comprehensive",
         "comprehensive": "comprehensive", "基层": "basic", "基层病种": "basic", "basic": "basic"}
MAX_ROWS = 200_000


def _score(value) -> Decimal:
    text = text_cell(value)
    try:
        number = Decimal(repr(value) if isinstance(value, float) else text)
    except InvalidOperation:
        raise ValueError(_("not a number")) from None
    if not number.is_finite() or number <= 0 or number != number.quantize(Decimal("0.0001")) or number >= 10**8:
        raise ValueError(_("a score above 0 with at most four decimals"))
    return number


@transaction.atomic
def dip_catalogue_upload(*, county: County, version: str, year: int, upload, user: User) -> DipCatalogue:
    """Keeps a catalogue version whole, or refuses it with every row's problem (nothing kept)."""
    version = version.strip()
    if DipCatalogue.objects.filter(county=county, version=version).exists():
        raise ValidationError({"version": _("This pooling area already has a catalogue of that version.")})
    errors: list[RowError] = []
    groups: list[DipGroup] = []
    seen: dict[str, int] = {}
    try:
        for number, row in read_table(upload, upload.name, COLUMNS, optional=OPTIONAL):
            if len(groups) + len(errors) >= MAX_ROWS:
                raise TableError(number, _("The file has more than %(n)s rows.") % {"n": f"{MAX_ROWS:,}"})
            found = len(errors)
            values = {name: text_cell(row.get(name)) for name in ("dip_code", "diagnosis", "operation")}
            for name in ("dip_code", "diagnosis", "operation"):
                if len(values[name]) > 40:
                    errors.append(RowError(number, COLUMNS[name][0], _("longer than 40 characters")))
            for name in ("dip_code", "diagnosis"):
                if not values[name]:
                    errors.append(RowError(number, COLUMNS[name][0], _("empty")))
            values["type"] = TYPES.get(text_cell(row["type"]))
            if values["type"] is None:
                errors.append(RowError(number, COLUMNS["type"][0], _("must be 核心, 综合 or 基层")))
            try:
                values["score"] = _score(row["score"])
            except ValueError as problem:
                errors.append(RowError(number, COLUMNS["score"][0], str(problem)))
            if len(errors) > found:
                continue
            if values["dip_code"] in seen:
                errors.append(RowError(number, COLUMNS["dip_code"][0], _(
                    "group %(code)s is already in row %(row)s") % {"code": values["dip_code"],
                                                                  "row": seen[values["dip_code"]]}))
                continue
            seen[values["dip_code"]] = number
            groups.append(DipGroup(**values))
    except TableError as problem:
        errors.append(RowError(problem.row, "", problem.message))
    refuse_unless_whole(errors, len(groups))
    catalogue = DipCatalogue.objects.create(county=county, version=version, year=year, file_name=upload.name[:200],
                                            uploaded_by=user)
    for group in groups:
        group.catalogue = catalogue
    DipGroup.objects.bulk_create(groups, batch_size=5000)
    return catalogue


def catalogue_in_force(*, county: County, year: int) -> DipCatalogue | None:
    """The latest version in force in a year: from its year on, until a later one."""
    return DipCatalogue.objects.filter(county=county, year__lte=year).order_by("-year", "-uploaded_at").first()


class Scores:
    """D1-D3: a case's DIP score. From the catalogue (the one in force for the year when the point
    value is computed; the one it was computed with when a case is priced) when it knows the case's
    group (by code, or by main diagnosis for a claim without a code); the score the claims file
    carried otherwise. A basic-level group (D3) has its one score at every level: the catalogue's
    基层 groups, overridden by the ones the bureau entered for the year."""

    def __init__(self, *, catalogue: DipCatalogue | None, basic_groups: dict):
        self.catalogue = catalogue
        self.by_code: dict[str, Decimal] = {}
        self.by_diagnosis: dict[str, str] = {}
        self.basic: dict[str, Decimal] = {}
        if self.catalogue is not None:
            for code, diagnosis, operation, kind, score in self.catalogue.groups.values_list(
                    "dip_code", "diagnosis", "operation", "type", "score").iterator():
                self.by_code[code] = score
                if not operation:
                    self.by_diagnosis.setdefault(diagnosis, code)
                if kind == DipGroup.Type.BASIC:
                    self.basic[code] = score
        self.basic |= {code: Decimal(str(score)) for code, score in basic_groups.items()}

    def __call__(self, claim: Claim) -> Decimal | None:
        group = claim.dip_group or self.by_diagnosis.get(claim.diagnosis, "")
        if group in self.basic or group in self.by_code:
            return dip_case_score(group, self.by_code, self.basic)
        if claim.dip_score is None:
            return None
        return dip_case_score(claim.dip_group, {claim.dip_group: claim.dip_score}, {})
