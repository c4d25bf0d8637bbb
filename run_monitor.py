#!/usr/bin/env python3
"""IOM3 social listening and escalation monitor. `python run_monitor.py --help` for commands."""

import sys

from monitor.cli import main

if __name__ == "__main__":
    sys.exit(main())
