"""Synthetic cases for benchmarks: each path walked once through the services, then copied."""
