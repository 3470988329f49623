"""Images in questions: checked when a file is read, stored as Wagtail images when it is saved,
carried inside the file again when it is exported.

A Moodle XML file carries each image of a question as a base64 `<file>` element that the
HTML refers to as `@@PLUGINFILE@@/name`. Reading the file, each image is checked (Pillow
must open it as PNG, JPEG, GIF or WebP, at most `MAX_IMAGE_BYTES`) and put into the HTML
as a `data:` URI for the time being. Saving the question (`html_images_store`) stores each
one as a Wagtail image in the "Question images" collection, one child collection per
top-level category, and points the HTML at the original's URL under MEDIA_URL
(`original_images/`, a folder the web server serves to anyone, see people/media.py). An
image already stored (same SHA-1, Wagtail's `file_hash`) is reused, so importing a file
twice stores its images once. Exporting to Moodle XML (`html_images_embed`) turns those
URLs back into `@@PLUGINFILE@@/name` with the file's bytes beside the text.
"""

import base64
import binascii
import hashlib
import io
import re
import warnings

from django.conf import settings
from django.core.files.images import ImageFile
from django.utils.translation import gettext as _

from PIL import Image as PILImage
from PIL import UnidentifiedImageError

MAX_IMAGE_BYTES = 5 * 1024 * 1024
# Pillow's format name → (MIME type, file extension)
IMAGE_FORMATS = {
    "PNG": ("image/png", "png"),
    "JPEG": ("image/jpeg", "jpg"),
    "GIF": ("image/gif", "gif"),
    "WEBP": ("image/webp", "webp"),
}
_DATA_URI = re.compile(r"data:image/(?:png|jpeg|gif|webp);base64,([A-Za-z0-9+/]+=*)")
COLLECTION_NAME = "Question images"
# Roughly what a stored image's URL takes in a text, for the length checks before saving.
STORED_URL_LENGTH = 80


def media_image_pattern() -> re.Pattern:
    """An image URL under MEDIA_URL in a public image folder, nothing after the name."""
    prefix = re.escape(settings.MEDIA_URL)
    return re.compile(rf"{prefix}(?:original_images|images)/[A-Za-z0-9][A-Za-z0-9._-]*")


def is_media_image(url: str) -> bool:
    return media_image_pattern().fullmatch(url) is not None and ".." not in url


def image_check(data: bytes) -> tuple[str | None, str | None]:
    """(Pillow's format name, None) for an image the bank can show; (None, why) otherwise."""
    if len(data) > MAX_IMAGE_BYTES:
        return None, _("it is larger than %(n)s MB") % {"n": MAX_IMAGE_BYTES // (1024 * 1024)}
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", PILImage.DecompressionBombWarning)
            with PILImage.open(io.BytesIO(data)) as image:
                kind = image.format
                width, height = image.size
                image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, PILImage.DecompressionBombError,
            PILImage.DecompressionBombWarning):  # fmt: skip
        return None, _("it is not an image")
    if kind not in IMAGE_FORMATS:
        return None, _("it is not a PNG, JPEG, GIF or WebP image")
    if width * height > settings.WAGTAILIMAGES_MAX_IMAGE_PIXELS:
        return None, _("it has more pixels than the site accepts")
    return kind, None


def data_uri(data: bytes, kind: str) -> str:
    return f"data:{IMAGE_FORMATS[kind][0]};base64,{base64.b64encode(data).decode()}"


def decode_base64(text: str) -> bytes | None:
    """The bytes of base64 text (whitespace ignored), or None if it is not base64 or would
    decode to more than the image limit."""
    compact = "".join(text.split())
    if len(compact) * 3 // 4 > MAX_IMAGE_BYTES + 3:
        return b"\0" * (MAX_IMAGE_BYTES + 1)  # too large: reported as such, never decoded
    try:
        return base64.b64decode(compact, validate=True)
    except (binascii.Error, ValueError):
        return None


def html_image_problems(value: str) -> list[str]:
    """Why each data: image in this HTML cannot be kept (an image pasted into a GIFT file)."""
    problems = []
    for match in _DATA_URI.finditer(value):
        data = decode_base64(match.group(1))
        why = _("it is not valid base64") if data is None else image_check(data)[1]
        if why:
            problems.append(_("an embedded image cannot be kept: %(why)s") % {"why": why})
    return problems


def length_before_storing(value: str) -> int:
    """The length a text will have once its data: images are stored."""
    return len(_DATA_URI.sub("x" * STORED_URL_LENGTH, value))


def has_data_images(value: str) -> bool:
    return _DATA_URI.search(value) is not None


def question_collection(category_name: str, *, parent_name: str = COLLECTION_NAME):
    """The collection for images of questions under the top-level category `category_name`
    (for their other files with `parent_name`, `formats.files`)."""
    from wagtail.models import Collection

    root = Collection.get_first_root_node()
    parent = root.get_children().filter(name=parent_name).first()
    if parent is None:
        parent = root.add_child(name=parent_name)
    name = category_name[:255]
    child = parent.get_children().filter(name=name).first()
    if child is None:
        child = parent.add_child(name=name)
    return child


def html_images_store(value: str, *, collection, title: str, cache: dict) -> str:
    """The HTML with each data: image stored as a Wagtail image (or the stored one with the
    same content reused) and pointed at by its URL. `cache` maps SHA-1 to URL for the run."""
    from wagtail.images import get_image_model

    image_model = get_image_model()

    def store(match: re.Match) -> str:
        data = base64.b64decode(match.group(1))
        digest = hashlib.sha1(data, usedforsecurity=False).hexdigest()
        if digest not in cache:
            image = image_model.objects.filter(file_hash=digest).order_by("pk").first()
            if image is None:
                kind, why = image_check(data)
                if why:  # checked when the file was read; a guard, never reached
                    raise ValueError(why)
                name = f"question-{digest[:16]}.{IMAGE_FORMATS[kind][1]}"
                image = image_model(
                    title=(title or name)[:255],
                    file=ImageFile(io.BytesIO(data), name=name),
                    collection=collection,
                )
                image._set_image_file_metadata()
                image.save()
            cache[digest] = image.file.url
        return cache[digest]

    return _DATA_URI.sub(store, value)


_SRC = re.compile(r"""(\bsrc\s*=\s*)(["'])([^"']*)\2""", re.I)


def html_images_embed(value: str) -> tuple[str, list[tuple[str, bytes]]]:
    """For a Moodle XML export: the HTML with each stored image's URL (and each data: image)
    replaced by `@@PLUGINFILE@@/name`, and the (name, bytes) of those files."""
    from wagtail.images import get_image_model

    image_model = get_image_model()
    files: dict[str, bytes] = {}
    pattern = media_image_pattern()

    def swap(match: re.Match) -> str:
        url = match.group(3)
        data, name = None, None
        data_match = _DATA_URI.fullmatch(url)
        if data_match:
            data = decode_base64(data_match.group(1))
            if data is not None:
                kind, why = image_check(data)
                if why:
                    return match.group(0)
                digest = hashlib.sha1(data, usedforsecurity=False).hexdigest()
                name = f"question-{digest[:16]}.{IMAGE_FORMATS[kind][1]}"
        elif pattern.fullmatch(url) and ".." not in url:
            stored = url[len(settings.MEDIA_URL) :]
            image = image_model.objects.filter(file=stored).first()
            if image is not None:
                with image.open_file() as handle:
                    data = handle.read()
                name = stored.rsplit("/", 1)[-1]
        if data is None or name is None:
            return match.group(0)
        files[name] = data
        return f"{match.group(1)}{match.group(2)}@@PLUGINFILE@@/{name}{match.group(2)}"

    return _SRC.sub(swap, value), list(files.items())
