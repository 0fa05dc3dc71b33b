"""The ``onewindow`` command: Django's management commands with dashed names.

``onewindow audit-verify`` runs the ``audit_verify`` management command; every
other Django command (``onewindow migrate``, ``onewindow runserver`` …) works as usual.
"""

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "onewindow.settings")
    argv = list(sys.argv if argv is None else argv)
    # The command name (and the one after "help") may be written with dashes.
    position = 2 if len(argv) > 2 and argv[1] == "help" else 1
    if len(argv) > position and not argv[position].startswith("-"):
        argv[position] = argv[position].replace("-", "_")
    from django.core.management import execute_from_command_line

    execute_from_command_line(argv)


if __name__ == "__main__":
    main()
