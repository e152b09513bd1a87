"""Locust users for ``bench/load.py``: associates on their tablets, mixing the card (45%), search (35%)
and My day (20%), each with a second or so between taps. Each simulated associate is one real staff
account with a session ``bench/load.py`` made, and draws customers she may see. Loopback only."""

import json
import os
import random
from pathlib import Path
from typing import Any

from locust import HttpUser, between, events, task

WORKLOAD: dict[str, Any] = {}


@events.init.add_listener
def load_workload(environment: Any, **kwargs: Any) -> None:
    WORKLOAD.update(json.loads(Path(os.environ["LOAD_WORKLOAD"]).read_text()))  # from bench/load.py
    host = environment.host or ""
    if not host.startswith("http://127.0.0.1:"):
        raise SystemExit(f"bench/load.py sends traffic to this machine only, not {host!r}")


class Associate(HttpUser):
    wait_time = between(0.5, 1.5)  # an associate reads and taps; she does not hammer

    def on_start(self) -> None:
        self.me = random.choice(WORKLOAD["associates"])
        self.client.cookies.set("sessionid", self.me["session"])
        self.client.cookies.set("csrftoken", WORKLOAD["csrf"])

    @task(45)
    def card(self) -> None:
        public_id = random.choice(self.me["customers"])
        self.client.get(f"/customers/{public_id}/", name="card")

    @task(35)
    def search(self) -> None:
        self.client.post(
            "/customers/",
            data={"q": random.choice(self.me["queries"])},
            headers={"HX-Request": "true", "X-CSRFToken": WORKLOAD["csrf"]},
            name="search",
        )

    @task(20)
    def my_day(self) -> None:
        self.client.get("/", name="my day")
