"""The dashboard's export: status and download link at the top, and the XLSX roster sheet's
columns in the order of the page's roster table."""

import io
import re

from django.urls import reverse

import pytest
from openpyxl import load_workbook

from certification.models import ExportJob
from people.factories import OfficerFactory, StaffFactory
from people.models import Role


def _roster_headers(page: str) -> list[str]:
    section = page[page.index('aria-labelledby="roster-heading"') :]
    head = section[section.index("<thead>") : section.index("</thead>")]
    return [re.sub(r"<[^>]+>", "", th).strip() for th in re.findall(r"<th[^>]*>(.*?)</th>", head)]


@pytest.mark.django_db
def test_the_xlsx_roster_has_the_pages_columns_in_the_pages_order(
    client, city, django_capture_on_commit_callbacks
):
    OfficerFactory(unit=city["township11"], full_name="王建国", employee_number="PY00001")
    supervisor = StaffFactory(role=Role.TOWNSHIP_SUPERVISOR, unit=city["township11"])
    client.force_login(supervisor)
    dashboard = reverse("certification:dashboard_unit", args=[city["township11"].code])
    page_headers = _roster_headers(client.get(dashboard).content.decode())
    assert len(page_headers) == 5

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("certification:export_start", args=[city["township11"].code]))
    job = ExportJob.objects.get(user=supervisor)
    download = client.get(reverse("certification:export_download", args=[job.pk]))
    book = load_workbook(io.BytesIO(b"".join(download.streaming_content)))
    rows = list(book["人员"].iter_rows(values_only=True))
    header = [str(cell) for cell in rows[0]]

    # Same columns, same order; the sheet adds the unit at the end (it spans units).
    assert header[: len(page_headers)] == page_headers
    assert len(header) == len(page_headers) + 1
    assert rows[1][0] == "王建国" and rows[1][1] == "PY00001"


@pytest.mark.django_db
def test_the_export_status_and_its_download_link_are_at_the_top(
    client, city, django_capture_on_commit_callbacks
):
    OfficerFactory(unit=city["township11"])
    supervisor = StaffFactory(role=Role.TOWNSHIP_SUPERVISOR, unit=city["township11"])
    client.force_login(supervisor)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("certification:export_start", args=[city["township11"].code])
        )
    page = client.get(response.url).content.decode()
    job = ExportJob.objects.get(user=supervisor)
    download = reverse("certification:export_download", args=[job.pk])
    export_card = page.index('aria-labelledby="export-heading"')
    # The card, with its link, comes before every other card of the dashboard.
    assert export_card < page.index(download) < page.index('aria-labelledby="counts-heading"')
    assert page.index(download) < page.index('aria-labelledby="roster-heading"')
