"""Gunicorn's access log, one JSON object per request, with nothing personal in it.

An access log outlives every erasure: what lands in it stays. So a line names the method, the path,
the status, the size, the time taken, the request id (to find the app's own log lines), the user agent
and the worker's process id, and leaves out:

- every query string, and the referrer's (a search once sent what she typed; a link may carry a
  token): no route of ours needs one to be understood;
- the signed tokens some paths carry (a sign-in link, a download, an opt-in or a look): each such
  path segment is written ``[token]``;
- cookies, the ``Authorization`` header and every other header, and the client's address, which the
  proxy in front logs under its own retention.

Gunicorn uses it through ``clienteling/gunicorn_conf.py`` (``logger_class``):
``gunicorn -c python:clienteling.gunicorn_conf clienteling.wsgi``.
"""

import json
import os
import re
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from gunicorn.glogging import Logger

# Django's signed values hold a ':' before their signature; random tokens of ours are long runs of
# URL-safe base64. Neither is a customer's public id (a UUID), which is pseudonymous and kept.
_TOKEN = re.compile(r"^(?=.*:)[\w:.-]{20,}$|^[\w-]{40,}$")


def scrub_path(path: str) -> str:
    """``path`` with every segment that is a signed or random token written ``[token]``."""
    return "/".join("[token]" if _TOKEN.match(segment) else segment for segment in path.split("/"))


def scrub_referrer(referrer: str) -> str:
    """The referring page's path alone (no host's query string, no tokens), or '-'."""
    if not referrer or referrer == "-":
        return "-"
    return scrub_path(urlsplit(referrer).path) or "/"


def access_entry(environ: dict[str, Any], status: str, size: int | None, milliseconds: int) -> dict[str, Any]:
    """What one request's line holds."""
    return {
        "time": datetime.now(UTC).isoformat(timespec="milliseconds"),
        "logger": "gunicorn.access",
        "method": environ.get("REQUEST_METHOD", ""),
        "path": scrub_path(environ.get("PATH_INFO", "")),
        "status": int(str(status).split(None, 1)[0]),
        "bytes": size,
        "ms": milliseconds,
        "referrer": scrub_referrer(environ.get("HTTP_REFERER", "")),
        "agent": environ.get("HTTP_USER_AGENT", ""),
        "pid": os.getpid(),  # which worker served it
    }


class AccessLogger(Logger):
    """Gunicorn's logger, writing the access log as ``access_entry`` says (its format setting aside)."""

    def access(self, resp: Any, req: Any, environ: dict[str, Any], request_time: Any) -> None:
        if not self.access_log_enabled:
            return
        entry = access_entry(
            environ,
            resp.status,
            getattr(resp, "sent", None),
            request_time.seconds * 1000 + request_time.microseconds // 1000,
        )
        headers = {name.lower(): value for name, value in resp.headers}
        entry["request_id"] = headers.get("x-request-id", "")
        self.access_log.info(json.dumps(entry))
