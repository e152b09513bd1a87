"""A real HTTP server standing in for an SMS provider, run in a thread of the test process.

It answers as it is told (``script``: one status per request, then 200s), remembers each request,
and, like real providers, takes an ``Idempotency-Key`` it has already accepted as the same message.
"""

import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest


@dataclass
class FakeProvider:
    url: str = ""
    # Each request takes the next entry: an HTTP status, or "slow" (accept it, then answer too late).
    script: list[int | str] = field(default_factory=list)
    requests: list[dict[str, object]] = field(default_factory=list)
    delivered: list[dict[str, object]] = field(default_factory=list)
    slow_seconds: float = 3.0
    lost_answers: int = 0  # answers the client stopped waiting for
    lock: threading.Lock = field(default_factory=threading.Lock)

    def handle(
        self, headers: dict[str, str], payload: dict[str, object]
    ) -> tuple[int, dict[str, object], float]:
        with self.lock:
            self.requests.append({"headers": headers, "payload": payload})
            step = self.script.pop(0) if self.script else 200
            key = headers.get("Idempotency-Key", "")
            if isinstance(step, int) and step != 200:
                return step, {"error": "scripted"}, 0.0
            known = next((d for d in self.delivered if key and d["key"] == key), None)
            if known is None:
                known = {"key": key, "id": f"fake-{len(self.delivered) + 1}", **payload}
                self.delivered.append(known)
            return 200, {"id": known["id"]}, self.slow_seconds if step == "slow" else 0.0


def _handler(provider: FakeProvider) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            payload = json.loads(self.rfile.read(length) or b"{}")
            status, answer, delay = provider.handle(dict(self.headers.items()), payload)
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


@pytest.fixture
def fake_sms(settings) -> Iterator[FakeProvider]:  # type: ignore[no-untyped-def]
    provider = FakeProvider()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(provider))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    provider.url = f"http://127.0.0.1:{server.server_address[1]}/messages"
    settings.SMS_BACKEND = "common.sms.HttpSmsBackend"
    settings.SMS_HTTP_URL = provider.url
    settings.SMS_HTTP_TOKEN = "test-token"
    settings.SMS_HTTP_TIMEOUT = 1
    try:
        yield provider
    finally:
        server.shutdown()
        server.server_close()
