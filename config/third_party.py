"""The words of the libraries we show the administrator that ship no Chinese: django-axes (the
sign-in lockout) is named 登录保护, and each of its texts (and a few of Django's own its catalogue
lacks) gets its Chinese in our catalogue; the messages below are theirs, listed so `makemessages`
carries them."""

from axes.apps import AppConfig as AxesAppConfig
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop


class SignInProtectionConfig(AxesAppConfig):
    verbose_name = _("Sign-in protection")

    def ready(self):
        super().ready()
        from axes import models as axes_models

        # axes names its rows in English ("Access Log for … @ …"); the admin titles and lists them so.
        def when(row):
            return row.attempt_time.strftime("%Y-%m-%d %H:%M") if row.attempt_time else "—"

        def failure(row):
            return gettext("failed sign-in of %(user)s at %(time)s from %(ip)s") % {
                "user": row.username or gettext("unknown user"), "time": when(row), "ip": row.ip_address or "—"}

        def attempt(row):
            return gettext("sign-in attempt at %(time)s") % {"time": when(row)}

        def log(row):
            return gettext("sign-in of %(user)s at %(time)s") % {
                "user": row.username or gettext("unknown user"), "time": when(row)}

        axes_models.AccessFailureLog.__str__ = failure
        axes_models.AccessAttempt.__str__ = attempt
        axes_models.AccessLog.__str__ = log


# Django's own words its Chinese catalogue lacks (5.2's user-add page).
DJANGO_WORDS = [
    gettext_noop("After you’ve created a user, you’ll be able to edit more user options."),
]

AXES_WORDS = [
    gettext_noop("User Agent"),
    gettext_noop("IP Address"),
    gettext_noop("Username"),
    gettext_noop("HTTP Accept"),
    gettext_noop("Path"),
    gettext_noop("Attempt Time"),
    gettext_noop("Access lock out"),
    gettext_noop("GET Data"),
    gettext_noop("POST Data"),
    gettext_noop("Failed Logins"),
    gettext_noop("Expires At"),
    gettext_noop("The time when access attempt expires and is no longer valid."),
    gettext_noop("Logout Time"),
    gettext_noop("Session key hash (sha256)"),
    gettext_noop("Locked Out"),
    gettext_noop("Yes"),
    gettext_noop("No"),
    gettext_noop("Form Data"),
    gettext_noop("Meta Data"),
    gettext_noop("Clean up expired attempts"),
    gettext_noop("Not set"),
    gettext_noop("Attempt Remaining"),
    gettext_noop("access failure"),
    gettext_noop("access failures"),
    gettext_noop("access attempt"),
    gettext_noop("access attempts"),
    gettext_noop("Access Attempt"),
    gettext_noop("access attempt expiration"),
    gettext_noop("access attempt expirations"),
    gettext_noop("access log"),
    gettext_noop("access logs"),
]
