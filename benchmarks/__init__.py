"""Benchmarks of the budgets in SPEC (performance is measured here, never in tests)."""
