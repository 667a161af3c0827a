"""Test doubles shared by the tests and the benchmarks: the fake Bot API and its people."""
