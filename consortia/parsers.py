"""Request bodies the API reads: refused before they are read when larger than the server
accepts (DATA_UPLOAD_MAX_MEMORY_SIZE). DRF's JSON and form parsers go through Django's
`request.body`, which checks it (answered by `api_exception_handler`); a parser of our own that
reads the stream itself checks it here."""

from django.conf import settings
from django.utils.translation import gettext as _
from rest_framework.exceptions import ParseError


def too_big_message(length: int | None = None) -> str:
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    return _("The request body is larger than the largest accepted, %(limit)s bytes (%(mb)s MB).") % {
        "limit": f"{limit:,}", "mb": limit // 2**20}


def body_within_limit(parser_context) -> None:
    """Raises ParseError (400, in the clerk's words) for a body above the limit, by its declared
    length, before a byte of it is read."""
    request = (parser_context or {}).get("request")
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    try:
        length = int((request.META if request is not None else {}).get("CONTENT_LENGTH") or 0)
    except ValueError:
        raise ParseError(_("The request's length is not a number.")) from None
    if limit is not None and length > limit:
        raise ParseError(too_big_message())
