"""Keeps secrets out of every log line (docs/compatibility.md D5, D6): the voicemail PIN travels in the URL of
`PUT /my/voicemail/pin/{pin}` and private feed keys in `/private/{key}/...`. Django's loggers use
`RedactSecretsFilter`; gunicorn's access log uses `sipxweb.gunicorn_logging.RedactingLogger`; both call
`redact()`, so there is one list of what is secret."""

import logging
import re

_SECRET_PATHS = [
    # /my/voicemail/pin/<pin> and /private/<key>/voicemail/pin/<pin>
    (re.compile(r"(/voicemail/pin/)[^/?\s\"]*", re.IGNORECASE), r"\1[redacted]"),
    # /private/<feed key>/...
    (re.compile(r"(/private/)[^/?\s\"]+", re.IGNORECASE), r"\1[redacted]"),
    # Authorization headers, should anything ever log one.
    (re.compile(r"(Authorization:\s*(?:Basic|Digest)\s+)[^\r\n]+", re.IGNORECASE), r"\1[redacted]"),
]


def redact(text: str) -> str:
    """Returns `text` with PINs in URLs, feed keys and credentials replaced by `[redacted]`."""
    for pattern, replacement in _SECRET_PATHS:
        text = pattern.sub(replacement, text)
    return text


class RedactSecretsFilter(logging.Filter):
    """A logging filter that redacts the fully formatted message, drops the request object (Django attaches it
    to 4xx/5xx records, and a handler could print its URL) and keeps 4xx records to one line."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and 400 <= getattr(record, "status_code", 500) < 500:
            # A 4xx (Django logs PermissionDenied's 403 with its exception) is the client's doing: one line with
            # the reason, not a traceback per refused request.
            exc = record.exc_info[1]
            reason = str(exc) if exc is not None else ""
            record.msg = f"{record.getMessage()}" + (f" ({reason})" if reason else "")
            record.args, record.exc_info, record.exc_text = None, None, None
        message = record.getMessage()
        clean = redact(message)
        if clean != message or record.args:
            record.msg, record.args = clean, None
        if hasattr(record, "request"):
            record.request = None
        return True
