"""The settings modules executed afresh, for tests of what the environment does to them."""

import runpy
import sys
from pathlib import Path
from typing import Any

PACKAGE = Path(__file__).resolve().parents[1] / "clienteling"
SETTINGS_FILE = PACKAGE / "settings.py"
SETTINGS_MODULES = (
    "settings", "place_settings", "database_settings", "product_settings", "celery_settings",
    "messaging_settings",
)  # fmt: skip
FILES = tuple(PACKAGE / f"{name}.py" for name in SETTINGS_MODULES)
"""Every file whose ``env_…("NAME", …)`` calls the settings read."""


def run_settings() -> dict[str, Any]:
    """``settings.py`` run as a script, with the settings modules it imports read again too."""
    modules = tuple(f"clienteling.{path.stem}" for path in FILES if path != SETTINGS_FILE)
    for name in modules:
        sys.modules.pop(name, None)
    try:
        return runpy.run_path(str(SETTINGS_FILE))
    finally:
        for name in modules:
            sys.modules.pop(name, None)
