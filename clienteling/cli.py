"""The ``clienteling`` command (installed with the wheel): Django's management commands, as
``manage.py`` runs them in a source checkout. ``clienteling migrate``, ``clienteling collectstatic``,
``clienteling seed_demo``…"""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clienteling.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
