"""Benchmarks of observer's performance budgets (docs/benchmarks.md) (performance is measured here, never in tests)."""
