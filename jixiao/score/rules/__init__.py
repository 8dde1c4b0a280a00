"""Scoring rules: the registry and one module per family."""
