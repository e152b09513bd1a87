"""A real HTTP server standing in for WhatsApp's Cloud API, run in a thread of the test process.

It takes ``POST /v23.0/<phone number id>/messages`` with the bearer token as the Cloud API does,
answers as it is told (``script``: one entry per request, then successes), remembers each request
with its path and headers, and answers a success with ``{"messages": [{"id": "wamid.fake-N"}]}``. An
entry is an HTTP status alone, or (status, Meta's error code) for the ``{"error": {"code": …}}`` body
Meta sends.
"""

import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

PHONE_NUMBER_ID = "106540352242922"
TOKEN = "EAAG-test-token"


@dataclass
class FakeCloudApi:
    url: str = ""
    script: list[int | tuple[int, int]] = field(default_factory=list)
    requests: list[dict[str, object]] = field(default_factory=list)
    sent: list[dict[str, object]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def handle(self, path: str, headers: dict[str, str], payload: dict[str, object]) -> tuple[int, object]:
        with self.lock:
            self.requests.append({"path": path, "headers": headers, "payload": payload})
            step = self.script.pop(0) if self.script else 200
            status, code = step if isinstance(step, tuple) else (step, 100)
            if status != 200:
                return status, {"error": {"message": f"(#{code}) scripted", "code": code}}
            if headers.get("Authorization") != f"Bearer {TOKEN}":
                return 401, {"error": {"message": "Invalid OAuth access token", "code": 190}}
            if path != f"/v23.0/{PHONE_NUMBER_ID}/messages":
                return 400, {"error": {"message": "Unsupported post request", "code": 100}}
            wamid = f"wamid.fake-{len(self.sent) + 1}"
            self.sent.append({"id": wamid, **payload})
            return 200, {
                "messaging_product": "whatsapp",
                "contacts": [{"input": payload.get("to"), "wa_id": payload.get("to")}],
                "messages": [{"id": wamid}],
            }


def _handler(api: FakeCloudApi) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            payload = json.loads(self.rfile.read(length) or b"{}")
            status, answer = api.handle(self.path, dict(self.headers.items()), payload)
            body = json.dumps(answer).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            return

    return Handler


@pytest.fixture
def fake_whatsapp(settings) -> Iterator[FakeCloudApi]:  # type: ignore[no-untyped-def]
    api = FakeCloudApi()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(api))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    api.url = f"http://127.0.0.1:{server.server_address[1]}/v23.0"
    settings.WHATSAPP_BACKEND = "common.whatsapp.HttpWhatsAppBackend"
    settings.WHATSAPP_API_URL = api.url
    settings.WHATSAPP_PHONE_NUMBER_ID = PHONE_NUMBER_ID
    settings.WHATSAPP_TOKEN = TOKEN
    settings.WHATSAPP_HTTP_TIMEOUT = 1
    try:
        yield api
    finally:
        server.shutdown()
        server.server_close()
