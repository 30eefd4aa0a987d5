"""Forms clerks fill in: an agreement (new, its draft, its parameters one field per value), an
institution, a roster upload; and the helpers that label table cells and show service refusals."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext, gettext_lazy as _

from payrules import SCHEMES
from payrules.parameters import GRADES, TIER_GROUPS, Spec
from .models import DEFAULT_INSURANCE_TYPE, SCHEME_CHOICES, Consortium, Institution, InsuranceType, ServiceAgreement

SEP = "__"
WEIGHT_LABELS = (_("oldest year"), _("middle year"), _("latest year"))
BAND_ROWS = 4
TIER_GROUP_LABELS = {
    "lead": _("lead group (lead, county and private hospitals)"),
    "township": _("township health centres"),
    "village": _("village clinics"),
}


def _decimal_field(label, help_text, **kwargs):
    return forms.DecimalField(label=label, help_text=help_text, max_digits=18, decimal_places=6, **kwargs)


def _fields_for(spec: Spec) -> dict[str, forms.Field]:
    label = gettext(spec.label)
    help_text = _("Rule %(rule)s.") % {"rule": spec.rule}
    if spec.kind in ("rate", "money", "integer"):
        scalar_help = _("Rule %(rule)s; default %(default)s.") % {"rule": spec.rule, "default": spec.default}
        if spec.kind == "integer":
            return {spec.name: forms.IntegerField(label=label, help_text=scalar_help)}
        return {spec.name: _decimal_field(label, scalar_help)}
    if spec.kind == "tier_ratio":
        return {
            f"{spec.name}{SEP}{key}": _decimal_field(f"{label}: {TIER_GROUP_LABELS[key]}", help_text)
            for key in TIER_GROUPS
        }
    if spec.kind == "grade_rates":
        return {
            f"{spec.name}{SEP}{grade}": _decimal_field(f"{label}: {grade}", help_text)
            for grade in GRADES
        }
    if spec.kind == "weights":
        return {
            f"{spec.name}{SEP}{i}": _decimal_field(f"{label}: {WEIGHT_LABELS[i]}", help_text)
            for i in range(3)
        }
    if spec.kind == "bands":
        fields = {}
        for i in range(BAND_ROWS):
            fields[f"{spec.name}{SEP}{i}{SEP}up_to"] = _decimal_field(
                _("%(label)s %(n)s: up to (share of allocation, empty = no limit)") % {"label": label, "n": i + 1},
                help_text,
                required=False,
            )
            fields[f"{spec.name}{SEP}{i}{SEP}fund_share"] = _decimal_field(
                _("%(label)s %(n)s: fund's share") % {"label": label, "n": i + 1},
                help_text,
                required=False,
            )
        return fields
    raise ValueError(spec.kind)


def flatten(spec: Spec, value) -> dict:
    if spec.kind in ("tier_ratio", "grade_rates"):
        return {f"{spec.name}{SEP}{k}": v for k, v in value.items()}
    if spec.kind == "weights":
        return {f"{spec.name}{SEP}{i}": v for i, v in enumerate(value)}
    if spec.kind == "bands":
        flat = {}
        for i, band in enumerate(value):
            flat[f"{spec.name}{SEP}{i}{SEP}up_to"] = band["up_to"]
            flat[f"{spec.name}{SEP}{i}{SEP}fund_share"] = band["fund_share"]
        return flat
    return {spec.name: value}


def _gather(spec: Spec, data: dict):
    def text(value):
        if value is None or isinstance(value, int):
            return value
        return format(value, "f")

    if spec.kind in ("tier_ratio", "grade_rates"):
        keys = TIER_GROUPS if spec.kind == "tier_ratio" else GRADES
        return {k: text(data.get(f"{spec.name}{SEP}{k}")) for k in keys}
    if spec.kind == "weights":
        return [text(data.get(f"{spec.name}{SEP}{i}")) for i in range(3)]
    if spec.kind == "bands":
        bands = []
        for i in range(BAND_ROWS):
            up_to = data.get(f"{spec.name}{SEP}{i}{SEP}up_to")
            share = data.get(f"{spec.name}{SEP}{i}{SEP}fund_share")
            if share is None and up_to is None:
                continue
            bands.append({"up_to": text(up_to), "fund_share": text(share)})
        return bands
    return text(data.get(spec.name))


def add_service_errors(form: forms.Form, error: ValidationError, field_for=None) -> None:
    """A service's refusal shown on the form: at the field it names where the form has one
    (`field_for` maps a name to a field), above the form otherwise."""
    errors = error.message_dict if hasattr(error, "error_dict") else {None: error.messages}
    for name, messages in errors.items():
        target = field_for(name) if field_for else (name if name in form.fields else None)
        for message in messages:
            form.add_error(target, message)


class AgreementParametersForm(forms.Form):
    """One field per parameter of the agreement's scheme; for an active agreement also the month
    from which the new version applies and the reason."""

    def __init__(self, *args, agreement: ServiceAgreement, initial_values: dict, **kwargs):
        super().__init__(*args, **kwargs)
        self.agreement = agreement
        self.specs = agreement.rules.parameters
        if agreement.status == ServiceAgreement.Status.ACTIVE:
            self.fields["effective_from"] = forms.DateField(
                label=_("Applies from (first day of a month)"),
                widget=forms.DateInput(attrs={"type": "date"}),
            )
            self.fields["reason"] = forms.CharField(label=_("Reason for the change"), max_length=500)
        for spec in self.specs.values():
            self.fields.update(_fields_for(spec))
            for name, value in flatten(spec, initial_values.get(spec.name, spec.default)).items():
                self.initial.setdefault(name, value)

    def parameter_values(self) -> dict:
        return {name: _gather(spec, self.cleaned_data) for name, spec in self.specs.items()}

    def add_service_errors(self, error: ValidationError) -> None:
        """A refusal from the service, shown at the field it names (a parameter's first field)."""
        add_service_errors(self, error, lambda name: next(
            (f for f in self.fields if name and (f == name or f.startswith(name + SEP))), None))


class RosterUploadForm(forms.Form):
    agreement = forms.ModelChoiceField(label=_("Service agreement"), queryset=ServiceAgreement.objects.none())
    month = forms.DateField(
        label=_("Roster month (any day of it)"), widget=forms.DateInput(attrs={"type": "date"})
    )
    file = forms.FileField(label=_("Roster file (.csv or .xlsx)"))

    def __init__(self, *args, agreements, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agreement"].queryset = agreements

    def enqueue(self, user):
        """The import job of a valid form, or None with the refusal added to the form's errors."""
        from django.core.exceptions import ValidationError

        from .services import roster_import_enqueue

        try:
            return roster_import_enqueue(agreement=self.cleaned_data["agreement"], month=self.cleaned_data["month"],
                                         upload=self.cleaned_data["file"], user=user)
        except ValidationError as error:
            add_service_errors(self, error)
            return None


def parameter_rows(scheme: str, values: dict) -> list[tuple[str, object]]:
    """A parameter version as the clerk reads it: each field's label and its value."""
    rows = []
    for spec in SCHEMES[scheme].parameters.values():
        flat = flatten(spec, values.get(spec.name, spec.default))
        for name, field in _fields_for(spec).items():
            value = flat.get(name)
            if value is not None:
                rows.append((field.label, value))
    return rows


INSURANCE_TYPE_HELP = _("Only the claims of this insurance type consume the package and enter the clearing.")


class AgreementCreateForm(forms.Form):
    consortium = forms.ModelChoiceField(label=_("Consortium"), queryset=Consortium.objects.none())
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    scheme = forms.ChoiceField(label=_("Payment scheme"), choices=SCHEME_CHOICES)
    insurance_type = forms.ChoiceField(label=_("Insurance type covered"), choices=InsuranceType.choices,
                                       initial=DEFAULT_INSURANCE_TYPE, help_text=INSURANCE_TYPE_HELP, required=False)

    def clean_insurance_type(self):
        return self.cleaned_data["insurance_type"] or DEFAULT_INSURANCE_TYPE
    signed_date = forms.DateField(label=_("Signed on (may be entered later)"), required=False,
                                  widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, consortia, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["consortium"].queryset = consortia


class AgreementDraftForm(forms.Form):
    scheme = forms.ChoiceField(label=_("Payment scheme"), choices=SCHEME_CHOICES,
                               help_text=_("A new scheme starts again from its default parameters."))
    insurance_type = forms.ChoiceField(label=_("Insurance type covered"), choices=InsuranceType.choices,
                                       help_text=INSURANCE_TYPE_HELP, required=False)

    def clean_insurance_type(self):
        return self.cleaned_data["insurance_type"] or None  # not sent: unchanged
    signed_date = forms.DateField(label=_("Signed on"), required=False,
                                  widget=forms.DateInput(attrs={"type": "date"}))


class InstitutionForm(forms.ModelForm):
    """A designated institution as bureau staff register it. Where it stands (placement and
    consortium) is set once: the claims imported since were classified by it."""

    class Meta:
        model = Institution
        fields = ["county", "code", "legacy_code", "name", "placement", "consortium", "tier", "level", "ownership",
                  "dip_coefficient"]

    def __init__(self, *args, counties, consortia, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["county"].queryset = counties
        self.fields["consortium"].queryset = consortia
        if self.instance.pk:
            for name in ("county", "code", "placement", "consortium"):
                self.fields[name].disabled = True


def label_cells(form: forms.Form) -> None:
    """A table has no label per cell: name each input of a row form by its column and row."""
    row = form.prefix.rsplit("-", 1)[-1] if form.prefix else ""
    for field in form.fields.values():
        field.widget.attrs["aria-label"] = (gettext("%(label)s, row %(row)s") % {
            "label": field.label, "row": int(row) + 1} if row.isdigit() else str(field.label))


class LabelledRows(forms.BaseFormSet):
    """Rows of a table whose "leave out" box is named with its row, like every other cell."""

    def add_fields(self, form, index):
        super().add_fields(form, index)
        if "DELETE" in form.fields:
            form.fields["DELETE"].label = _("Leave out")
            form.fields["DELETE"].widget.attrs["aria-label"] = gettext("Leave out row %(row)s") % {
                "row": (index if index is not None else 0) + 1}


class HolidayNoticeForm(forms.Form):
    """A year's holiday arrangement from the State Council's notice: typed, one day per line
    (date, 休 or 班, the holiday), or a CSV file of the same three columns."""

    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    notice_number = forms.CharField(label=_("Notice number (e.g. 国办发明电〔2026〕7号)"), max_length=100)
    published_on = forms.DateField(label=_("Published on"), required=False,
                                   widget=forms.DateInput(attrs={"type": "date"}))
    days = forms.CharField(label=_("Days off and make-up working days, one per line: date, 休 or 班, holiday"),
                           required=False, widget=forms.Textarea(attrs={"rows": 12, "cols": 48}))
    file = forms.FileField(label=_("Or a CSV file with the same three columns"), required=False)

    def clean(self):
        import csv
        import io

        cleaned = super().clean()
        upload, text = cleaned.get("file"), cleaned.get("days") or ""
        if upload is not None:
            if upload.size > 1024 * 1024:
                raise ValidationError(_("The file is larger than 1 MB; a year's arrangement is a few dozen lines."))
            raw = upload.read()
            for encoding in ("utf-8-sig", "gb18030"):
                try:
                    text = raw.decode(encoding)
                    break
                except UnicodeDecodeError:
                    continue
            else:
                raise ValidationError(_("The file is not valid UTF-8 or GB18030 text; save it again as CSV UTF-8."))
        lines = list(csv.reader(io.StringIO(text.replace("，", ",").replace("\t", ","))))
        if cleaned.get("year") is not None:
            from .services import holiday_lines_parse

            cleaned["parsed"], problems = holiday_lines_parse(year=cleaned["year"], lines=lines)
            for problem in problems[:50]:
                self.add_error("days", problem)
        return cleaned
