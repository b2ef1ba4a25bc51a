"""Tests: flows tier."""
