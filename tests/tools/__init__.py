"""Tests: tools tier."""
