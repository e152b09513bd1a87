"""The production access log keeps no query string, no token and no header: a real gunicorn, its
own configuration file, a few requests, and its standard output read back."""

import contextlib
import urllib.error
import urllib.request

import pytest

from common.access_log import scrub_path, scrub_referrer
from tests.gunicorn import gunicorn

SIGNED = "Ijk1YjM0ZDQ3LWRhZmQtNGE1Zi1iMmYxLTY3ZDNkNmM1YzRkMiI:1tJ9bq:Xo3kz8Q2wN1n4yTzv3b1Zbq0o8b7W0rJ1Uo"


@pytest.mark.parametrize(
    ("path", "kept"),
    [
        (f"/me/link/{SIGNED}/", "/me/link/[token]/"),
        ("/customers/95b34d47-dafd-4a5f-b2f1-67d3d6c5c4d2/notes/", None),  # her public id stays
        ("/customers/", None),
        ("/api/v1/orders/", None),
    ],
)
def test_tokens_in_paths_are_written_token_and_nothing_else_changes(path, kept):
    assert scrub_path(path) == (kept or path)


def test_a_referrer_is_its_path_alone():
    assert scrub_referrer("https://shop.example/customers/?q=zoe%40example.com") == "/customers/"
    assert scrub_referrer("") == scrub_referrer("-") == "-"


def _get(url: str, **headers: str) -> None:
    assert url.startswith("http://127.0.0.1:")
    request = urllib.request.Request(url, headers=headers)  # noqa: S310 - a local http URL
    with contextlib.suppress(urllib.error.HTTPError):  # a refusal is logged like anything else
        urllib.request.urlopen(request, timeout=30).read()  # noqa: S310


def test_gunicorn_with_the_projects_configuration_logs_no_query_string_token_or_header(tmp_path):
    with gunicorn(tmp_path) as server:
        base = server.url
        _get(f"{base}/customers/?q=zoe.okafor%40example.com", Referer=f"{base}/customers/?q=07911123456")
        _get(f"{base}/me/link/{SIGNED}/?from=mail", Cookie="sessionid=s3cr3t", Authorization="Bearer clk_x")
        lines = server.wait_for_access_lines(3)

    assert [(line["method"], line["path"], line["status"]) for line in lines] == [
        ("GET", "/customers/", 302),
        ("GET", "/login/", 200),  # ?next=/customers/ left out too
        ("GET", "/me/link/[token]/", 200),
    ]
    assert lines[0]["referrer"] == "/customers/"
    assert all(len(line["request_id"]) == 32 for line in lines)
    text = server.log.read_text()
    for secret in ("zoe.okafor", "example.com", "07911123456", SIGNED, "from=mail", "s3cr3t", "clk_x"):
        assert secret not in text
