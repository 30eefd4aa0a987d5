from django import forms
from django.utils.translation import gettext_lazy as _

from consortia.models import County


class UploadForm(forms.Form):
    county = forms.ModelChoiceField(label=_("pooling area"), queryset=County.objects.none())
    file = forms.FileField(label=_("Claims file (.csv or .xlsx)"))

    def __init__(self, *args, counties, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["county"].queryset = counties
