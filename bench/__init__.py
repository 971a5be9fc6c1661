"""Benchmarks: each script prints its tables with the baseline it is compared against."""
