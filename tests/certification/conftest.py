"""Fixtures of the certification tests: fields exist, and an officer of a small city."""

import pytest

from certification.factories import fields_create
from people.factories import OfficerFactory


@pytest.fixture
def fields(db):
    return {f.code: f for f in fields_create()}


@pytest.fixture
def officer(city, fields):
    return OfficerFactory(unit=city["township11"])
