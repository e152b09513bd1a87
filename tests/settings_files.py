"""The settings modules executed afresh, for tests of what the environment does to them."""

import runpy
import sys
from pathlib import Path
from typing import Any

PACKAGE = Path(__file__).resolve().parents[1] / "clienteling"
SETTINGS_FILE = PACKAGE / "settings.py"
FILES = (SETTINGS_FILE, PACKAGE / "product_settings.py")
"""Every file whose ``env_…("NAME", …)`` calls the settings read."""


def run_settings() -> dict[str, Any]:
    """``settings.py`` run as a script, with ``product_settings`` (which it imports) read again too."""
    sys.modules.pop("clienteling.product_settings", None)
    try:
        return runpy.run_path(str(SETTINGS_FILE))
    finally:
        sys.modules.pop("clienteling.product_settings", None)
