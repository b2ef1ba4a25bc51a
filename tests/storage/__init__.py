"""Tests: storage tier."""
