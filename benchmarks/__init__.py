"""Reproducible benchmarks: each prints its figures and a ratio against a baseline run beside it."""
