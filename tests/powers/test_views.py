"""The public pages: powers a township holds today, and each list's changes."""

import datetime

from django.urls import reverse

import pytest

from powers.factories import EnforcementFieldFactory, PowerFactory, PowerListFactory
from powers.services import power_list_supersede

D = datetime.date


@pytest.fixture
def lists(city):
    land = EnforcementFieldFactory(code="natural_resources", name="自然资源")
    fire = EnforcementFieldFactory(code="fire", name="消防救援")
    old = PowerFactory(field=land, name="对非法占用耕地建房的行政处罚", applies_from=D(2023, 6, 1))
    new = PowerFactory(
        field=fire,
        name="对堵塞消防车通道的行政处罚",
        applies_from=D(2026, 1, 1),
        transition_ends=D(2026, 12, 31),
        original_department="县消防救援大队",
    )
    first = PowerListFactory(name="2023年清单", issuer=city["city"], powers=[old])
    second = PowerListFactory(
        name="2025年清单",
        issuer=city["city"],
        effective_from=D(2026, 1, 1),
        applies_to="both",
        powers=[new],
    )
    power_list_supersede(old=first, new=second, withdraw_on=D(2026, 1, 1))
    return first, second, old, new


@pytest.mark.django_db
class TestPublicPowersPages:
    def test_index_lists_lists_and_townships_without_login(self, client, city, lists):
        body = client.get(reverse("powers:index")).content.decode()
        assert "2023年清单" in body and "2025年清单" in body
        assert city["township11"].name in body

    def test_unit_page_shows_todays_powers_by_field(self, client, city, lists, monkeypatch):
        from django.utils import timezone

        monkeypatch.setattr(timezone, "localdate", lambda *a, **k: D(2026, 3, 1))
        response = client.get(reverse("powers:unit", args=[city["township11"].code]))
        body = response.content.decode()
        assert "对堵塞消防车通道的行政处罚" in body
        assert "对非法占用耕地建房的行政处罚" not in body
        assert "消防救援" in body
        assert "县消防救援大队" in body  # still in its transition period

    def test_list_page_shows_the_changes(self, client, lists):
        _first, second, old, new = lists
        response = client.get(reverse("powers:list", args=[second.pk]))
        changes = response.context["changes"]
        assert changes.added == [new]
        assert changes.withdrawn == [old]
        assert "2026-01-01" in response.content.decode()

    def test_unknown_unit_is_404(self, client, city):
        assert client.get(reverse("powers:unit", args=["NOPE"])).status_code == 404
        assert client.get(reverse("powers:unit", args=[city["county1"].code])).status_code == 404

    def test_pages_run_a_fixed_number_of_queries(
        self, client, city, lists, django_assert_max_num_queries
    ):
        with django_assert_max_num_queries(4):
            client.get(reverse("powers:index"))
        with django_assert_max_num_queries(5):
            client.get(reverse("powers:unit", args=[city["township11"].code]))
        with django_assert_max_num_queries(6):
            client.get(reverse("powers:list", args=[lists[1].pk]))
