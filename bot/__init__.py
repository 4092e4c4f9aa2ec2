"""Shishin: the composition root, settings, CLI, run modes and services."""
