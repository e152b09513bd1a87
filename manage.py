#!/usr/bin/env python
"""Django's command-line utility in a source checkout; installed, the same is the ``clienteling`` command."""

from clienteling.cli import main

if __name__ == "__main__":
    main()
