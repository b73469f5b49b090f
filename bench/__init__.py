"""Benchmarks and data generators for Frontline (not part of the shipped package)."""
