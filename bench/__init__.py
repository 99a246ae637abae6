"""Benchmarks of feedsvc: ``python -m bench`` writes docs/PERFORMANCE.md."""
