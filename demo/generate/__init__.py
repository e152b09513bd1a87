"""Realistic, deterministic demo data for a European department store, loaded with COPY.

Generation is numpy over whole columns (no ORM call per row); each module covers one part of the
domain and ``runner.seed`` strings them together in a single transaction.
"""

from demo.generate.runner import DemoDataExists, SeedReport, count_rows, seed

__all__ = ["DemoDataExists", "SeedReport", "count_rows", "seed"]
