"""Who runs a command, for the audit event of a run that hands out or changes personal data."""

import getpass
import os


def operator_name() -> str:
    """The operating-system login name of whoever runs the command."""
    try:
        return getpass.getuser()
    except (OSError, KeyError):  # no login name in some containers
        return f"uid {os.getuid()}"
