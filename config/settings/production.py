"""A bureau's server: behind HTTPS, secrets from the environment."""

from .base import *  # noqa: F401,F403
from .base import SILENCED_SYSTEM_CHECKS as BASE_SILENCED, env

SECRET_KEY = env("SECRET_KEY")
DEBUG = False
SESSION_COOKIE_SECURE = env.bool("SECURE_COOKIES", default=True)
CSRF_COOKIE_SECURE = env.bool("SECURE_COOKIES", default=True)
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=False)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Scripts and styles from the site only (the pages have no inline script; styles may be inline
# attributes, e.g. in the SVG charts); no framing, no foreign form targets.
CONTENT_SECURITY_POLICY = env(
    "CONTENT_SECURITY_POLICY",
    default="default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
            "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'",
)
# HSTS preload commits the domain for years; each bureau decides (SECURE_HSTS_PRELOAD=true).
SILENCED_SYSTEM_CHECKS = BASE_SILENCED + ([] if SECURE_HSTS_PRELOAD else ["security.W021"])
