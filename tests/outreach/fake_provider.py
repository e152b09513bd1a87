"""A real HTTP server standing in for a messaging provider, run in a thread of the test process: an
SMS provider (``fake_sms``) or WhatsApp's Cloud API (``fake_whatsapp``).

It answers as it is told (``script``: one step per request, then successes), remembers each request
(its path, headers and JSON payload) and each message it took (``delivered``). A step is an HTTP
status; ``"slow"``, to take the message and answer after the client stopped waiting; or (status, the
provider's error code). How a provider words its answers, whom it lets in and which retry it takes
as the same message are its answers (``SmsAnswers``, ``CloudApiAnswers``):

- SMS: ``{"id": "fake-N"}``, and an ``Idempotency-Key`` it already took is the same message, as real
  providers do.
- Cloud API: ``POST /v23.0/<phone number id>/messages`` with the bearer token, answered
  ``{"messages": [{"id": "wamid.fake-N"}]}``, and an error as Meta's ``{"error": {"code": …}}``.
"""

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

PHONE_NUMBER_ID = "106540352242922"
TOKEN = "EAAG-test-token"
SMS_TOKEN = "test-token"

Step = int | str | tuple[int, int]
Payload = dict[str, object]


class SmsAnswers:
    """How an SMS provider answers (another provider's answers change what differs)."""

    id_prefix = "fake-"

    def error(self, status: int, code: int | None) -> object:
        return {"error": "scripted"}

    def refusal(self, path: str, headers: dict[str, str]) -> tuple[int, object] | None:
        """Why a request is refused whatever the script says (None: it is not)."""
        return None

    def same_as(self, headers: dict[str, str]) -> str:
        """What makes a retry the message already taken ("": nothing)."""
        return headers.get("Idempotency-Key", "")

    def taken(self, message_id: str, payload: Payload) -> object:
        return {"id": message_id}


class CloudApiAnswers(SmsAnswers):
    """How WhatsApp's Cloud API answers."""

    id_prefix = "wamid.fake-"

    def error(self, status: int, code: int | None) -> object:
        code = code or 100
        return {"error": {"message": f"(#{code}) scripted", "code": code}}

    def refusal(self, path: str, headers: dict[str, str]) -> tuple[int, object] | None:
        if headers.get("Authorization") != f"Bearer {TOKEN}":
            return 401, {"error": {"message": "Invalid OAuth access token", "code": 190}}
        if path != f"/v23.0/{PHONE_NUMBER_ID}/messages":
            return 400, {"error": {"message": "Unsupported post request", "code": 100}}
        return None

    def same_as(self, headers: dict[str, str]) -> str:
        return ""

    def taken(self, message_id: str, payload: Payload) -> object:
        return {
            "messaging_product": "whatsapp",
            "contacts": [{"input": payload.get("to"), "wa_id": payload.get("to")}],
            "messages": [{"id": message_id}],
        }


@dataclass
class FakeProvider:
    answers: SmsAnswers
    url: str = ""
    script: list[Step] = field(default_factory=list)
    requests: list[Payload] = field(default_factory=list)
    delivered: list[Payload] = field(default_factory=list)
    slow_seconds: float = 3.0
    lost_answers: int = 0  # answers the client stopped waiting for
    lock: threading.Lock = field(default_factory=threading.Lock)

    def handle(self, path: str, headers: dict[str, str], payload: Payload) -> tuple[int, object, float]:
        with self.lock:
            self.requests.append({"path": path, "headers": headers, "payload": payload})
            step = self.script.pop(0) if self.script else 200
            status, code = step if isinstance(step, tuple) else (step, None)
            if isinstance(status, int) and status != 200:
                return status, self.answers.error(status, code), 0.0
            refused = self.answers.refusal(path, headers)
            if refused is not None:
                return *refused, 0.0
            key = self.answers.same_as(headers)
            known = next((d for d in self.delivered if key and d["key"] == key), None)
            if known is None:
                known = {"key": key, "id": f"{self.answers.id_prefix}{len(self.delivered) + 1}", **payload}
                self.delivered.append(known)
            delay = self.slow_seconds if step == "slow" else 0.0
            return 200, self.answers.taken(str(known["id"]), payload), delay


def _handler(provider: FakeProvider) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            payload = json.loads(self.rfile.read(length) or b"{}")
            status, answer, delay = provider.handle(self.path, dict(self.headers.items()), payload)
            if delay:
                time.sleep(delay)
            body = json.dumps(answer).encode()
            try:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):
                # The client gave up waiting: the answer is lost, but the message was taken.
                with provider.lock:
                    provider.lost_answers += 1

        def log_message(self, format: str, *args: object) -> None:
            return

    return Handler


@contextmanager
def serving(answers: SmsAnswers, path: str) -> Iterator[FakeProvider]:
    """A fake provider answering as ``answers`` say, at ``url`` (its address, then ``path``)."""
    provider = FakeProvider(answers)
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(provider))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    provider.url = f"http://127.0.0.1:{server.server_address[1]}{path}"
    try:
        yield provider
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def fake_sms(settings) -> Iterator[FakeProvider]:  # type: ignore[no-untyped-def]
    with serving(SmsAnswers(), "/messages") as provider:
        settings.SMS_BACKEND = "common.sms.HttpSmsBackend"
        settings.SMS_HTTP_URL = provider.url
        settings.SMS_HTTP_TOKEN = SMS_TOKEN
        settings.SMS_HTTP_TIMEOUT = 1
        yield provider


@pytest.fixture
def fake_whatsapp(settings) -> Iterator[FakeProvider]:  # type: ignore[no-untyped-def]
    with serving(CloudApiAnswers(), "/v23.0") as api:
        settings.WHATSAPP_BACKEND = "common.whatsapp.HttpWhatsAppBackend"
        settings.WHATSAPP_API_URL = api.url
        settings.WHATSAPP_PHONE_NUMBER_ID = PHONE_NUMBER_ID
        settings.WHATSAPP_TOKEN = TOKEN
        settings.WHATSAPP_HTTP_TIMEOUT = 1
        yield api
