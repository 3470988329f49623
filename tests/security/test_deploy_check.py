"""`manage.py check --deploy --fail-level WARNING` is clean under the production settings.

The security settings are taken from `config.settings.production` itself (imported with a
production-like environment), not retyped here, so a change there is what gets checked.
"""

import importlib
import sys

from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.test import override_settings
from django.utils.crypto import get_random_string

import pytest

#: The settings that decide the deploy check (Django's security checks, `check --deploy`).
DEPLOY_PREFIXES = ("SECURE_", "SESSION_COOKIE_", "CSRF_COOKIE_", "X_FRAME_OPTIONS")
DEPLOY_NAMES = {"DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "SECRET_KEY_FALLBACKS"}


def _production_module(monkeypatch, **environ):
    for name, value in environ.items():
        monkeypatch.setenv(name, value)
    sys.modules.pop("config.settings.production", None)
    try:
        return importlib.import_module("config.settings.production")
    finally:
        sys.modules.pop("config.settings.production", None)


@pytest.fixture
def production_settings(monkeypatch):
    module = _production_module(
        monkeypatch,
        SECRET_KEY=get_random_string(64, "abcdefghijklmnopqrstuvwxyz0123456789!@#$%^&*(-_=+)"),
        ALLOWED_HOSTS="academy.example.org",
    )
    values = {
        name: getattr(module, name)
        for name in dir(module)
        if name.isupper() and (name.startswith(DEPLOY_PREFIXES) or name in DEPLOY_NAMES)
    }
    assert values["DEBUG"] is False
    assert len(values["SECRET_KEY"]) == 64
    return values


def test_production_settings_pass_the_deploy_check(production_settings, monkeypatch):
    # The browser tests lift Django's async guard for the whole test session (Playwright
    # runs an event loop); a deployment never sets it, so neither does this check.
    monkeypatch.delenv("DJANGO_ALLOW_ASYNC_UNSAFE", raising=False)
    with override_settings(**production_settings):
        call_command("check", "--deploy", "--fail-level", "WARNING", verbosity=0)


def test_the_check_would_notice_a_weak_setting(production_settings):
    """The control: the same check fails when one production setting is weakened."""
    weakened = {**production_settings, "SESSION_COOKIE_SECURE": False}
    with override_settings(**weakened), pytest.raises(SystemCheckError):
        call_command("check", "--deploy", "--fail-level", "WARNING", verbosity=0)


def test_production_refuses_to_start_without_a_secret_key(monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.setenv("ALLOWED_HOSTS", "academy.example.org")
    with pytest.raises(ImproperlyConfigured):
        _production_module(monkeypatch)


@pytest.mark.parametrize("secret", ["$" + "k" * 63, "$SECRET_KEY_PART", "a$b\\$c"])
def test_a_secret_key_is_taken_exactly_as_set(monkeypatch, secret):
    """A generated key may start with "$", which django-environ would read as the name of
    another variable: the key must reach Django unchanged."""
    monkeypatch.setenv("ALLOWED_HOSTS", "academy.example.org")
    module = _production_module(monkeypatch, SECRET_KEY=secret)
    assert secret == module.SECRET_KEY
