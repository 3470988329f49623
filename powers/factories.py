"""factory_boy factories for enforcement fields, powers and power lists."""

import datetime

import factory
from factory.django import DjangoModelFactory

from .models import AppliesTo, EnforcementField, Power, PowerList


class EnforcementFieldFactory(DjangoModelFactory):
    class Meta:
        model = EnforcementField
        django_get_or_create = ("code",)

    code = "natural_resources"
    name = factory.LazyAttribute(lambda o: {"natural_resources": "自然资源"}.get(o.code, o.code))


class PowerFactory(DjangoModelFactory):
    class Meta:
        model = Power

    code = factory.Sequence(lambda n: f"P{n:04d}")
    name = factory.Sequence(lambda n: f"对违法行为{n}的行政处罚")
    field = factory.SubFactory(EnforcementFieldFactory)
    applies_from = datetime.date(2023, 6, 1)
    original_department = "县自然资源局"


class PowerListFactory(DjangoModelFactory):
    class Meta:
        model = PowerList
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"事项清单{n}")
    applies_to = AppliesTo.TOWNSHIPS
    effective_from = datetime.date(2023, 6, 1)

    @factory.post_generation
    def powers(self, create, extracted, **kwargs):
        if create and extracted:
            self.powers.add(*extracted)
