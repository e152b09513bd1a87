"""What the app counted (``common.metrics``): in this process's registry, or in a scrape's text; and
counting in another process, in multiprocess mode."""

import os
import subprocess
import sys
from pathlib import Path

from prometheus_client import REGISTRY
from prometheus_client.parser import text_string_to_metric_families
from prometheus_client.samples import Sample


def counted(name: str, **labels: str) -> float:
    """A sample's value in this process (0 before its first count)."""
    return REGISTRY.get_sample_value(name, labels) or 0.0


def samples(scrape: str) -> list[Sample]:
    """Every sample of a scrape in Prometheus's text format."""
    return [sample for family in text_string_to_metric_families(scrape) for sample in family.samples]


def value_in(scrape: str, name: str, **labels: str) -> float | None:
    found = [sample.value for sample in samples(scrape) if sample.name == name and sample.labels == labels]
    return found[0] if found else None


def count_in_a_process(directory: Path, *, finished_at: float) -> None:
    """Another process, in multiprocess mode on ``directory``: one request to the card, one refresh."""
    code = (
        "from common import metrics\n"
        "metrics.REQUEST_SECONDS.labels(route='tablet:card', method='GET', status='2xx').observe(0.2)\n"
        f"metrics.refresh_finished(kind='full', outcome='done', seconds=60, customers=7, at={finished_at})\n"
    )
    environment = {key: value for key, value in os.environ.items() if key != "PROMETHEUS_MULTIPROC_DIR"}
    subprocess.run(
        [sys.executable, "-c", code],
        cwd=Path(__file__).resolve().parents[1],
        env=environment | {"PROMETHEUS_MULTIPROC_DIR": str(directory)},
        check=True,
        timeout=60,
    )
