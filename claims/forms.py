from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from consortia.forms import LabelledRows, add_service_errors, label_cells
from consortia.models import Consortium, County, Institution

from .models import BenefitRate


class UploadForm(forms.Form):
    county = forms.ModelChoiceField(label=_("pooling area"), queryset=County.objects.none())
    file = forms.FileField(label=_("Claims file (.csv or .xlsx)"))

    def __init__(self, *args, counties, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["county"].queryset = counties

    def enqueue(self, user):
        """The import job of a valid form, or None with the refusal added to the form's errors."""
        from django.core.exceptions import ValidationError

        from .importers import claims_import_enqueue

        try:
            return claims_import_enqueue(county=self.cleaned_data["county"], upload=self.cleaned_data["file"],
                                         user=user)
        except ValidationError as error:
            add_service_errors(self, error)
            return None


class ReconciliationForm(forms.Form):
    county = forms.ModelChoiceField(label=_("pooling area"), queryset=County.objects.none())
    file = forms.FileField(label=_("The platform's reconciliation totals (.csv or .xlsx)"))

    def __init__(self, *args, counties, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["county"].queryset = counties


class SpotCheckForm(forms.Form):
    """J7: what a sample of a member's claims refused and the sample's share of the whole."""

    institution = forms.ModelChoiceField(label=_("institution"), queryset=Institution.objects.none())
    year = forms.IntegerField(label=_("year"), min_value=2000, max_value=2100)
    violation_amount = forms.DecimalField(label=_("refused in the sample"), max_digits=18, decimal_places=2,
                                          min_value=0)
    sample_ratio = forms.DecimalField(label=_("sample ratio"), max_digits=5, decimal_places=4,
                                      help_text=_("The sample's share of the member's claims, e.g. 0.1000."))
    note = forms.CharField(label=_("note"), max_length=500, required=False)

    def __init__(self, *args, institutions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["institution"].queryset = institutions

    def clean_sample_ratio(self):
        ratio = self.cleaned_data["sample_ratio"]
        if not 0 < ratio <= 1:  # J7: a sample is part of the whole
            raise forms.ValidationError(_("The sample ratio is above 0 and at most 1."))
        return ratio


class AuditRecoveryForm(forms.Form):
    """S10: the lead hospital's own audits: recovered and its own penalty, two amounts."""

    consortium = forms.ModelChoiceField(label=_("consortium"), queryset=Consortium.objects.none())
    year = forms.IntegerField(label=_("year"), min_value=2000, max_value=2100)
    recovered = forms.DecimalField(label=_("recovered by its own audits"), max_digits=18, decimal_places=2,
                                   min_value=0)
    own_penalty = forms.DecimalField(label=_("penalty for its own violations"), max_digits=18, decimal_places=2,
                                     min_value=0)
    description = forms.CharField(label=_("description"), max_length=500)

    def __init__(self, *args, consortia, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["consortium"].queryset = consortia


class DipCatalogueForm(forms.Form):
    """A version of the DIP disease catalogue, uploaded whole."""

    county = forms.ModelChoiceField(label=_("pooling area"), queryset=County.objects.none())
    version = forms.CharField(label=_("version"), max_length=40, help_text=_("As the catalogue names itself, e.g. "
                                                                            "“2025年版”."))
    year = forms.IntegerField(label=_("in force from the year"), min_value=2000, max_value=2100)
    file = forms.FileField(label=_("Catalogue file (.csv or .xlsx)"))

    def __init__(self, *args, counties, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["county"].queryset = counties


class DipForm(forms.Form):
    """D1: the year's points budget and the basic-level groups' one score, one group per line."""

    county = forms.ModelChoiceField(label=_("pooling area"), queryset=County.objects.none())
    year = forms.IntegerField(label=_("year"), min_value=2000, max_value=2100)
    points_budget = forms.DecimalField(label=_("points budget"), max_digits=18, decimal_places=2, min_value=0)
    basic_groups = forms.CharField(
        label=_("basic-level disease groups"), required=False, widget=forms.Textarea(attrs={"rows": 4, "cols": 40}),
        help_text=_("One group per line: the group code, a space and its one score, e.g. “J18.9 350”."))

    def __init__(self, *args, counties, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["county"].queryset = counties

    def clean_basic_groups(self):
        groups = {}
        for number, line in enumerate(self.cleaned_data["basic_groups"].splitlines(), start=1):
            if not line.strip():
                continue
            parts = line.split()
            try:
                code, score = parts
                if Decimal(score) <= 0:
                    raise ValueError
            except (ValueError, ArithmeticError):
                raise forms.ValidationError(
                    _("Line %(n)s: write the group code, a space and a score above 0.") % {"n": number}) from None
            groups[code] = score
        return groups


class BenefitRulesForm(forms.Form):
    """B6: a new version of the county's benefit rules, from a day of its year, with its reason."""

    county = forms.ModelChoiceField(label=_("pooling area"), queryset=County.objects.none())
    year = forms.IntegerField(label=_("year"), min_value=2000, max_value=2100)
    effective_from = forms.DateField(label=_("applies from (a day of the year)"),
                                     widget=forms.DateInput(attrs={"type": "date"}))
    reason = forms.CharField(label=_("reason for the change (from the second version on)"), max_length=500,
                             required=False)

    def __init__(self, *args, counties, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["county"].queryset = counties


class BenefitRateForm(forms.ModelForm):
    class Meta:
        model = BenefitRate
        fields = ["visit_type", "level", "area", "referred", "deductible", "rate", "cap"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        label_cells(self)


def benefit_rate_formset(data=None, *, initial=()):
    """The lines of a new version: the latest version's lines and a few empty rows, or a whole table
    of empty rows for a county's first rules (empty rows are left out)."""
    rows = forms.formset_factory(BenefitRateForm, formset=LabelledRows, extra=4 if initial else 16, can_delete=True)
    return rows(data, initial=list(initial), prefix="rates")
