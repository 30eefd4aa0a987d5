"""Benchmarks (`make bench`): ratios measured side by side in one run on PostgreSQL, written to
docs/benchmarks.md with the machine and the date. Never part of the tests."""
