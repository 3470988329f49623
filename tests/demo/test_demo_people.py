"""The demo's organisation chart and staff logins are data files read by thin loaders."""

import pytest

from people import demo
from people.models import OrgUnit, UnitKind, User


@pytest.mark.django_db
def test_the_units_file_builds_the_city_tree_and_seeding_twice_changes_nothing():
    units = demo.seed_org_tree()
    assert len(units) == OrgUnit.objects.count() == 140
    assert OrgUnit.objects.filter(kind=UnitKind.TOWNSHIP).count() == 75
    assert OrgUnit.objects.filter(kind=UnitKind.SUBDISTRICT).count() == 4
    township = OrgUnit.objects.get(code="PY-PY-T01")
    assert (township.name, township.get_parent().code) == ("城关镇", "PY-PY")
    again = demo.seed_org_tree()
    assert OrgUnit.objects.count() == 140
    assert {code: unit.pk for code, unit in again.items()} == {
        code: unit.pk for code, unit in units.items()
    }


@pytest.mark.django_db
def test_the_staff_file_gives_each_login_its_role_and_unit():
    units = demo.seed_org_tree()
    logins = demo.seed_staff(units)
    assert [login.username for login in logins][:2] == ["admin", "city_admin"]
    assert User.objects.get(username="admin").is_superuser
    trainer = User.objects.get(username="trainer_qf")
    assert trainer.unit.code == "PY-QF-NYJ"
    assert list(trainer.roles.values_list("role", flat=True)) == ["trainer"]
    demo.seed_staff(units)
    assert User.objects.filter(username="trainer_qf").count() == 1
    assert trainer.roles.count() == 1


@pytest.mark.django_db
def test_a_unit_whose_parent_is_not_listed_above_it_is_refused_with_its_row(tmp_path, monkeypatch):
    (tmp_path / "units.csv").write_text(
        "单位编码,单位名称,单位类型,上级单位编码\nX,某市,市,\nX-1,某镇,乡镇,X-9\n", encoding="utf-8"
    )
    monkeypatch.setattr(demo, "DATA", tmp_path)
    with pytest.raises(demo.DemoDataError, match="row 3"):
        demo.seed_org_tree()
    assert not OrgUnit.objects.filter(code="X-1").exists()
