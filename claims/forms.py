from django import forms
from django.utils.translation import gettext_lazy as _

from consortia.models import County


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
            for message in error.messages:
                self.add_error(None, message)
            return None
