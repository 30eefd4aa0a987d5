"""Session lifetime: signed out after a spell idle (30 minutes) and some hours after login at the
latest (12), as the settings say."""

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.middleware.locale import LocaleMiddleware
from django.utils import translation
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _

STARTED = "session_started_at"
LAST_SEEN = "session_last_seen_at"


class SessionLifetimeMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            now = time.time()
            started = request.session.setdefault(STARTED, now)
            last_seen = request.session.get(LAST_SEEN, now)
            idle = now - last_seen > settings.SESSION_IDLE_TIMEOUT.total_seconds()
            too_old = now - started > settings.SESSION_ABSOLUTE_LIFETIME.total_seconds()
            if idle or too_old:
                logout(request)
                if idle:
                    text = _("You were signed out after %(minutes)d minutes without activity.") % {
                        "minutes": settings.SESSION_IDLE_TIMEOUT.total_seconds() // 60
                    }
                else:
                    text = _("You were signed out: a session lasts at most %(hours)d hours.") % {
                        "hours": settings.SESSION_ABSOLUTE_LIFETIME.total_seconds() // 3600
                    }
                messages.info(request, text)
            else:
                request.session[LAST_SEEN] = now
        return self.get_response(request)


class ChineseFirstLocaleMiddleware(LocaleMiddleware):
    """Simplified Chinese unless the user chose another language (the language switcher's
    cookie): a bureau PC whose browser happens to ask for English still gets Chinese."""

    def process_request(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        supported = {code for code, _name in settings.LANGUAGES}
        language = chosen if chosen in supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()


def client_ip(request) -> str | None:
    """The address sign-in throttling keys on. Behind `PROXY_COUNT` trusted reverse proxies
    (nginx: 1) it is the entry they appended to X-Forwarded-For; a client cannot forge it by
    sending its own header, since only entries to the right of the proxies' are trusted."""
    proxies = settings.PROXY_COUNT
    remote = request.META.get("REMOTE_ADDR")
    if proxies <= 0:
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    return forwarded[-proxies] if len(forwarded) >= proxies else remote


EXEMPT_FROM_CSP = ("/api/v1/docs/", "/api/v1/redoc/")  # Swagger and ReDoc pages carry inline script


class PrivateResponsesMiddleware:
    """What a signed-in user is shown (scoped data, personal ids, downloads) is never kept by a
    browser or a proxy cache: `Cache-Control: no-store`. With CONTENT_SECURITY_POLICY set
    (production), every page but the API's documentation gets it: the pages need no inline script."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if getattr(request, "user", None) is not None and request.user.is_authenticated:
            patch_cache_control(response, no_store=True, private=True, no_cache=True, max_age=0)
        policy = settings.CONTENT_SECURITY_POLICY
        if policy and not request.path.startswith(EXEMPT_FROM_CSP):
            response.headers.setdefault("Content-Security-Policy", policy)
        return response


class PageTimeLimitMiddleware:
    """No page read holds the database longer than PAGE_STATEMENT_TIMEOUT_MS (PostgreSQL's
    statement_timeout, for GET and HEAD, on the primary and on the streaming replica the reviewer's
    pages read): a filter that would read twenty million claims is stopped
    and the person is asked, in words, to narrow it. Steps that move money (POST), the
    administrator's pages, downloads (`?export=`) and jobs' files are not limited here: a streamed
    export runs past the response. Set the setting to 0 to switch the limit off."""

    EXEMPT = ("/admin/", "/jobs/")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from django.db import DatabaseError, connections

        from consortia.database import page_time_limit

        limit = settings.PAGE_STATEMENT_TIMEOUT_MS
        if (not limit or request.method not in ("GET", "HEAD") or "export" in request.GET
                or request.path.startswith(self.EXEMPT) or not page_time_limit(limit)):
            return self.get_response(request)
        try:
            return self.get_response(request)
        finally:
            try:
                page_time_limit(0)
            except DatabaseError:  # a transaction the page left broken: fresh sessions, without the limit
                connections.close_all()

    def process_exception(self, request, exception):
        from django.db import OperationalError
        from django.shortcuts import render

        if isinstance(exception, OperationalError) and "statement timeout" in str(exception):
            return render(request, "page_too_large.html", status=503)
        return None


class LagToleratedMiddleware:
    """The requests whose reads may come from the streaming replica (when one is configured):
    every page of the provincial reviewer, who only reads, and every download (`?export=`). A
    streamed download reads after the response is returned: its export sets the same itself."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from consortia.database import lag_tolerated, replica_configured
        from consortia.models import User

        user = getattr(request, "user", None)
        reader = getattr(user, "role", "") == User.Role.PROVINCIAL_REVIEWER
        if replica_configured() and request.method in ("GET", "HEAD") and (reader or "export" in request.GET):
            with lag_tolerated():
                return self.get_response(request)
        return self.get_response(request)
