"""Shared test helpers (fixtures live in tests/conftest.py)."""
