"""Placeholder: filled in by the cases work."""

__all__: list[str] = []
