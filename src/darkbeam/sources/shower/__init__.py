"""Electromagnetic showers in thick targets as a source of dark vectors (docs/showers.md)."""
