"""Benchmarks: each script compares datanuri with the fastest peer measured in the same run.

A regular package (not a namespace one), so that `benchmarks._harness` is this folder even
when an installed distribution ships a top-level `benchmarks` package of its own (recordlinkage
does).
"""
