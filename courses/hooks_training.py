"""Wagtail hooks of the training area."""
