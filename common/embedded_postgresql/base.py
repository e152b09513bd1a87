"""Django's PostgreSQL backend, connecting to the embedded server (started on first use)."""

from pathlib import Path
from typing import Any

from django.db.backends.postgresql import base

from common import embedded_db


class DatabaseWrapper(base.DatabaseWrapper):
    def get_connection_params(self) -> dict[str, Any]:
        params = super().get_connection_params()
        data_dir = Path(self.settings_dict["EMBEDDED_DIR"])
        server = embedded_db.ensure_running(
            data_dir,
            self.settings_dict["EMBEDDED_DATABASE"],
            self.settings_dict.get("EMBEDDED_RUNTIME_ROLE", ""),
        )
        params["host"] = server.socket_dir
        params["port"] = server.port
        return params
