"""factory_boy factories for users, units and roles (used by tests and the shell)."""

import factory

from .models import OrgUnit, Role, UnitKind, User
from .services import officer_create, role_assign, unit_create


class UnitFactory(factory.Factory):
    """Builds units through `unit_create`, so the tree stays consistent."""

    class Meta:
        model = OrgUnit

    name = factory.Sequence(lambda n: f"单位{n}")
    kind = UnitKind.CITY
    parent = None
    code = factory.Sequence(lambda n: f"U{n:05d}")

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        return unit_create(**kwargs)

    @classmethod
    def _build(cls, model_class, *args, **kwargs):
        kwargs.pop("parent", None)
        return model_class(**kwargs)


def city_tree(prefix: str = "T") -> dict[str, OrgUnit]:
    """A small city: two counties, each with two townships, a justice bureau and a department."""
    city = UnitFactory(name=f"{prefix}市", kind=UnitKind.CITY)
    units = {"city": city}
    for c in (1, 2):
        county = UnitFactory(name=f"{prefix}县{c}", kind=UnitKind.COUNTY, parent=city)
        units[f"county{c}"] = county
        for t in (1, 2):
            units[f"township{c}{t}"] = UnitFactory(
                name=f"{prefix}镇{c}{t}", kind=UnitKind.TOWNSHIP, parent=county
            )
        units[f"bureau{c}"] = UnitFactory(
            name=f"{prefix}司法局{c}", kind=UnitKind.JUSTICE_BUREAU, parent=county
        )
        units[f"department{c}"] = UnitFactory(
            name=f"{prefix}自然资源局{c}", kind=UnitKind.DEPARTMENT, parent=county
        )
    units["subdistrict1"] = UnitFactory(
        name=f"{prefix}街道1", kind=UnitKind.SUBDISTRICT, parent=units["county1"]
    )
    return units


class OfficerFactory(factory.Factory):
    class Meta:
        model = User

    username = factory.Sequence(lambda n: f"officer_f{n}")
    full_name = factory.Sequence(lambda n: f"执法员{n}")
    unit = None
    established = True
    enforcement_post = True

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        return officer_create(**kwargs)


class StaffFactory(factory.Factory):
    """A user holding one role at one unit."""

    class Meta:
        model = User

    username = factory.Sequence(lambda n: f"staff_f{n}")
    full_name = factory.Sequence(lambda n: f"工作人员{n}")
    unit = None
    role = Role.TRAINER

    @classmethod
    def _create(cls, model_class, *args, role, unit, **kwargs):
        user = model_class(unit=unit, **kwargs)
        user.set_unusable_password()
        user.save()
        role_assign(user=user, role=role, unit=unit)
        return user
