"""Password rules in the clerk's words: Django's length rule came out in English (its plural
message does not reach the merged Chinese catalogue), so it is worded here."""

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


class MinimumLengthValidator(password_validation.MinimumLengthValidator):
    def validate(self, password, user=None):
        if len(password) < self.min_length:
            raise ValidationError(self.get_error_message(), code="password_too_short",
                                  params={"min_length": self.min_length})

    def get_error_message(self):
        return _("This password is too short: it must have at least %(min_length)d characters.")

    def get_help_text(self):
        return _("Your password must have at least %(min_length)d characters.") % {"min_length": self.min_length}
