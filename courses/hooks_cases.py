"""Wagtail hooks of the cases area."""
