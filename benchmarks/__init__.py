"""Benchmark suite for tunekit: problems, runners and reports."""
