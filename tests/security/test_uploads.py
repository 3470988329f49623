"""Uploads: too large, too many pixels, or a decompression bomb is refused with a message,
never with a server error, and never by first decoding the whole thing in memory.

The bombs are built by hand (a PNG header that declares a huge canvas over a few kilobytes
of compressed zeros; a workbook that declares a huge sheet), so nothing here downloads or
allocates the big thing itself.
"""

import io
import struct
import tracemalloc
import zipfile
import zlib

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from wagtail.images import get_image_model

import pytest
from PIL import Image as PILImage
from PIL import ImageFile

from courses.factories import PlacementFactory
from courses.models import ApplicationStatus, Reflection
from courses.services import training as svc
from people.factories import OfficerFactory, StaffFactory
from people.models import Role, User

from .conftest import REFLECTION_TEXT

# --- Building files ---------------------------------------------------------------------------


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_declaring(width: int, height: int) -> bytes:
    """A valid 1-bit greyscale PNG of `width` × `height` black pixels, every CRC right.

    The image data is compressed a row block at a time, so building it never holds the
    decoded image; a canvas of 30,000 × 30,000 is about 110 KB on disk.
    """
    row = b"\x00" * (1 + (width + 7) // 8)
    block_rows = max(1, 4_000_000 // len(row))
    packer = zlib.compressobj(9)
    parts = []
    done = 0
    while done < height:
        n = min(block_rows, height - done)
        parts.append(packer.compress(row * n))
        done += n
    parts.append(packer.flush())
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", b"".join(parts))
        + _chunk(b"IEND", b"")
    )


def test_the_hand_made_png_is_what_it_claims():
    data = png_declaring(40, 30)
    with PILImage.open(io.BytesIO(data)) as image:
        assert image.size == (40, 30)
        image.load()
    bomb = png_declaring(30_000, 30_000)
    assert len(bomb) < 200_000
    with pytest.raises(PILImage.DecompressionBombError):
        PILImage.open(io.BytesIO(bomb))


def padded_png(size: int) -> bytes:
    """A small valid PNG followed by junk up to `size` bytes: big on the wire, tiny to decode."""
    data = png_declaring(16, 16)
    return data + b"\x00" * (size - len(data))


@pytest.fixture
def no_full_decode(monkeypatch):
    """Fails the test (instead of eating the machine's memory) if anything decodes or creates
    an image larger than the product allows."""
    limit = settings.WAGTAILIMAGES_MAX_IMAGE_PIXELS
    attempts = []
    original_load = ImageFile.ImageFile.load
    original_new = PILImage.new

    def guarded_load(self, *args, **kwargs):
        width, height = self.size
        if width * height > limit:
            attempts.append(("load", self.size))
            raise MemoryError("security suite: refused to decode a huge image")
        return original_load(self, *args, **kwargs)

    def guarded_new(mode, size, *args, **kwargs):
        if size[0] * size[1] > limit:
            attempts.append(("new", size))
            raise MemoryError("security suite: refused to allocate a huge image")
        return original_new(mode, size, *args, **kwargs)

    monkeypatch.setattr(ImageFile.ImageFile, "load", guarded_load)
    monkeypatch.setattr(PILImage, "new", guarded_new)
    return attempts


# --- Officer import (Wagtail admin) -----------------------------------------------------------


@pytest.fixture
def city_admin(city):
    return StaffFactory(role=Role.CITY_ADMIN, unit=city["city"])


@pytest.mark.django_db
def test_officer_import_over_the_size_limit_is_refused(client, city, city_admin):
    client.force_login(city_admin)
    header = "工号,姓名,单位编码\n".encode()
    row = f"900001,超限员,{city['township11'].code}\n".encode()
    body = header + row * (5 * 1024 * 1024 // len(row) + 1)
    assert len(body) > 5 * 1024 * 1024
    before = User.objects.count()
    response = client.post(
        reverse("people_officer_import"),
        {"file": SimpleUploadedFile("officers.csv", body, "text/csv")},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["file"]
    assert User.objects.count() == before


#: Spreadsheet imports of the Wagtail admin: (URL name, the role that may use it, fields).
IMPORTS = [
    pytest.param("people_officer_import", Role.CITY_ADMIN, {}, id="officers"),
    pytest.param(
        "courses_external_hours_import",
        Role.CITY_ADMIN,
        {},
        id="external-hours",
    ),
    pytest.param(
        "quizzes_import",
        Role.TRAINER,
        {"format": "gift", "category": "超限"},
        id="questions",
    ),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "role", "fields"), IMPORTS)
def test_every_admin_import_refuses_a_file_over_10_mb(client, city, name, role, fields):
    """10 MB: the upload ceiling `config/settings/base.py` means to enforce."""
    from quizzes.models import Question

    unit = city["city"] if role == Role.CITY_ADMIN else city["department1"]
    client.force_login(StaffFactory(role=role, unit=unit))
    body = b"x" * (10 * 1024 * 1024 + 1)
    users, questions = User.objects.count(), Question.objects.count()
    response = client.post(
        reverse(name), {"file": SimpleUploadedFile("big.csv", body, "text/csv"), **fields}
    )
    assert response.status_code == 200
    assert response.context["form"].errors.get("file"), "the file itself is refused"
    assert (User.objects.count(), Question.objects.count()) == (users, questions)


def xlsx_declaring(rows: int, last_column: str, *, header=("工号", "姓名", "单位编码")) -> bytes:
    """A few-kilobyte workbook whose first sheet claims `rows` rows up to `last_column`."""
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.active.append(list(header))
    plain = io.BytesIO()
    workbook.save(plain)
    source = zipfile.ZipFile(io.BytesIO(plain.getvalue()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                corner = f"{last_column}{rows}"
                text = data.decode()
                text = text.replace('<dimension ref="A1:C1" />', f'<dimension ref="A1:{corner}" />')
                text = text.replace(
                    "</sheetData>",
                    f'<row r="{rows}"><c r="{corner}" t="n"><v>1</v></c></row></sheetData>',
                )
                data = text.encode()
            target.writestr(item, data)
    return out.getvalue()


@pytest.mark.django_db
def test_a_spreadsheet_declaring_a_huge_sheet_is_refused_without_reading_it(
    client, city, city_admin
):
    client.force_login(city_admin)
    bomb = xlsx_declaring(2_000, "ZZ")
    assert len(bomb) < 10_000
    before = User.objects.count()
    tracemalloc.start()
    try:
        response = client.post(
            reverse("people_officer_import"),
            {"file": SimpleUploadedFile("officers.xlsx", bomb, "application/octet-stream")},
        )
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert response.status_code == 200
    assert User.objects.count() == before
    # 1.4 million cells declared: reading them all costs over 10 MB; reading the three
    # columns of the header, or refusing the declared size, costs next to nothing.
    assert peak < 5 * 1024 * 1024, f"the import allocated {peak / 2**20:.0f} MB for a 5 KB file"


# --- Reflection attachments (courses) ---------------------------------------------------------


@pytest.fixture
def attended(city):
    officer = OfficerFactory(unit=city["township11"])
    trainer = StaffFactory(role=Role.TRAINER, unit=city["department1"])
    host = StaffFactory(role=Role.HOST, unit=city["department1"])
    placement = PlacementFactory(host_unit=city["department1"], held_on=timezone.localdate())
    application = svc.placement_apply(officer=officer, placement=placement)
    svc.placement_decide(application=application, actor=trainer, accept=True)
    return svc.placement_attendance_confirm(application=application, actor=host)


@pytest.mark.django_db
def test_a_reflection_attachment_over_the_size_limit_is_refused(client, attended):
    client.force_login(attended.officer)
    big = SimpleUploadedFile("照片.png", padded_png(10 * 1024 * 1024 + 1), "image/png")
    response = client.post(
        reverse("courses:reflection_submit", args=[attended.pk]),
        {"text": REFLECTION_TEXT, "attachments": [big]},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["attachments"]
    # Nothing is lost: the text comes back in the form, and nothing half-saved remains.
    assert REFLECTION_TEXT[:20] in response.content.decode()
    assert not Reflection.objects.filter(application=attended).exists()
    attended.refresh_from_db()
    assert attended.status == ApplicationStatus.ATTENDED


@pytest.mark.django_db
def test_a_bomb_attached_to_a_reflection_is_never_decoded(client, attended, no_full_decode):
    client.force_login(attended.officer)
    bomb = SimpleUploadedFile("现场.png", png_declaring(30_000, 30_000), "image/png")
    response = client.post(
        reverse("courses:reflection_submit", args=[attended.pk]),
        {"text": REFLECTION_TEXT, "attachments": [bomb]},
    )
    assert response.status_code in (200, 302)
    assert no_full_decode == []


# --- Wagtail images ---------------------------------------------------------------------------


@pytest.fixture
def image_editor(city):
    """A trainer: the role that illustrates lessons and cases (wagtailimages.add_image)."""
    from django.contrib.auth.models import Group, Permission

    from wagtail.models import Collection, GroupCollectionPermission

    user = StaffFactory(role=Role.TRAINER, unit=city["department1"])
    # Wagtail checks image permissions per collection; give the root collection's as well,
    # so this test is about the upload limits whatever the role's collection set-up.
    group, _created = Group.objects.get_or_create(name="security-suite-images")
    for codename in ("add_image", "choose_image", "change_image"):
        GroupCollectionPermission.objects.get_or_create(
            group=group,
            collection=Collection.get_first_root_node(),
            permission=Permission.objects.get(
                content_type__app_label="wagtailimages", codename=codename
            ),
        )
    user.groups.add(group)
    return user


def _upload_single(client, data: bytes, name: str = "图.png"):
    from wagtail.models import Collection

    return client.post(
        reverse("wagtailimages:add"),
        {
            "title": "上传测试",
            "file": SimpleUploadedFile(name, data, "image/png"),
            "collection": Collection.get_first_root_node().pk,
        },
    )


def _upload_multiple(client, data: bytes, name: str = "图.png"):
    return client.post(
        reverse("wagtailimages:add_multiple"),
        {"files[]": SimpleUploadedFile(name, data, "image/png")},
        headers={"x-requested-with": "XMLHttpRequest"},
    )


CASES = [
    pytest.param(lambda: padded_png(settings.WAGTAILIMAGES_MAX_UPLOAD_SIZE + 1), id="too-large"),
    pytest.param(
        lambda: png_declaring(8_000, settings.WAGTAILIMAGES_MAX_IMAGE_PIXELS // 8_000 + 1),
        id="too-many-pixels",
    ),
    pytest.param(lambda: png_declaring(30_000, 30_000), id="decompression-bomb"),
]


@pytest.mark.django_db
@pytest.mark.parametrize("upload", [_upload_single, _upload_multiple], ids=["add", "multiple"])
@pytest.mark.parametrize("make", CASES)
def test_wagtail_refuses_oversized_images_cleanly(
    client, image_editor, no_full_decode, upload, make
):
    client.force_login(image_editor)
    response = upload(client, make())
    assert response.status_code == 200, response.status_code
    if response["Content-Type"].startswith("application/json"):
        payload = response.json()
        assert payload["success"] is False
        assert payload["error_message"]
    else:
        assert response.context["form"].errors["file"]
    assert not get_image_model().objects.exists()
    assert no_full_decode == []


@pytest.mark.django_db
def test_a_normal_image_still_uploads(client, image_editor, no_full_decode):
    """The control: the same path accepts an ordinary picture, so the refusals above are real."""
    client.force_login(image_editor)
    response = _upload_single(client, png_declaring(64, 48))
    assert response.status_code == 302
    assert get_image_model().objects.count() == 1
