"""Journey: a county justice bureau drills down the readiness dashboard and downloads an export."""

import datetime
import io
import re
from pathlib import Path

from django.urls import reverse
from django.utils import timezone

import pytest
from openpyxl import load_workbook

from certification.factories import certificate, hours_add
from people.factories import OfficerFactory, StaffFactory
from people.models import Role

from .conftest import assert_accessible, login

pytestmark = [pytest.mark.journey, pytest.mark.django_db(transaction=True)]


PASSWORD = "bureau-pass-2026"


@pytest.fixture
def bureau(city):
    user = StaffFactory(role=Role.JUSTICE_BUREAU, unit=city["bureau1"], full_name="县司法局王科长")
    user.set_password(PASSWORD)
    user.save()
    return user


@pytest.fixture
def officers(city):
    today = timezone.localdate()
    certified = OfficerFactory(unit=city["township11"], full_name="赵持证")
    certificate(certified, issued_on=datetime.date(today.year, 1, 1))
    hours_add(certified, 60, on=datetime.date(today.year, 1, 1))
    newcomer = OfficerFactory(unit=city["township11"], full_name="钱新人")
    elsewhere = OfficerFactory(unit=city["township21"], full_name="孙外县")
    return {"certified": certified, "newcomer": newcomer, "elsewhere": elsewhere}


def test_county_bureau_drills_down_and_downloads_the_readiness_export(
    desktop, city, bureau, officers
):
    page = desktop
    login(page, bureau.username, PASSWORD)

    # The dashboard opens on the bureau's own county, and shows nothing of the other county.
    page.goto(reverse("certification:dashboard"))
    assert_accessible(page)
    assert city["county1"].name in page.inner_text("h1")
    units = page.locator("section[aria-labelledby=units-heading] tbody a")
    names = units.all_inner_texts()
    assert city["township11"].name in names
    assert city["township21"].name not in names
    assert "孙外县" not in page.inner_text("main")

    # County → township: the township's officers, each with a status.
    units.filter(has_text=city["township11"].name).click()
    page.wait_for_url(re.compile(rf"/readiness/{city['township11'].code}/"))
    assert_accessible(page)
    roster = page.locator("section[aria-labelledby=roster-heading] tbody tr")
    assert roster.count() == 2
    assert roster.filter(has_text="赵持证").get_attribute("data-status") == "valid"
    assert roster.filter(has_text="钱新人").get_attribute("data-status") == "not_qualified"
    counts = page.locator("section[aria-labelledby=counts-heading]")
    assert counts.locator("tr[data-status=valid] td").nth(1).inner_text() == "1"
    assert counts.locator("tr[data-status=not_qualified] td").nth(1).inner_text() == "1"

    # Township → officer.
    roster.filter(has_text="赵持证").locator("a").click()
    page.wait_for_url(re.compile(r"/certificate/officers/\d+/"))
    assert_accessible(page)
    assert "赵持证" in page.inner_text("h1")
    assert page.get_attribute(".status-hero [data-status]", "data-status") == "valid"

    # Back up to the county through the breadcrumbs, and export it.
    page.go_back()
    assert_accessible(page)
    page.click(f"nav.breadcrumbs a:has-text('{city['county1'].name}')")
    page.wait_for_url(re.compile(rf"/readiness/{city['county1'].code}/"))
    assert_accessible(page)
    page.click("section[aria-labelledby=export-heading] form button[type=submit]")
    page.wait_for_load_state()
    link = page.locator(".export-progress [data-export-label] a")
    link.wait_for()
    assert_accessible(page)
    with page.expect_download() as download_info:
        link.click()
    download = download_info.value
    assert download.suggested_filename.endswith(".xlsx")
    data = Path(download.path()).read_bytes()
    assert data[:2] == b"PK"
    book = load_workbook(io.BytesIO(data), read_only=True)
    cells = {str(cell) for sheet in book.worksheets for row in sheet.values for cell in row}
    assert "赵持证" in cells and "钱新人" in cells
    assert "孙外县" not in cells
