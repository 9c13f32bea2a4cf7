#!/usr/bin/env python
"""Django's command-line utility for Homeward."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import execute_from_command_line
    from django.db import OperationalError
    from kombu.exceptions import OperationalError as BrokerError

    # Operators get one line they can act on, not a traceback wall.
    try:
        execute_from_command_line(sys.argv)
    except ImproperlyConfigured as error:
        sys.exit(f"Configuration error: {_first_line(error)}")
    except OperationalError as error:
        sys.exit(f"Database unreachable: {_first_line(error)}")
    except BrokerError as error:
        sys.exit(f"Message broker unreachable: {_first_line(error)}")


def _first_line(error: Exception) -> str:
    text = str(error).strip()
    return text.splitlines()[0] if text else error.__class__.__name__


if __name__ == "__main__":
    main()
