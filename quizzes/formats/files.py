"""Other files in questions (a recording, a PDF): checked when a file is read, stored as
Wagtail documents when it is saved, carried inside the file again when it is exported.

A Moodle XML question may carry, besides its images (`formats.images`), a file its text
links to (`<a href="@@PLUGINFILE@@/name">`, or plays with `<audio src=…>`). Reading the
file, such a file is kept only when its name ends in one of `FILE_TYPES` (MP3, OGG, WAV
and M4A audio, PDF, DOCX, XLSX, PPTX, plain text), its content looks like that type, and
it is at most `MAX_FILE_BYTES` (the images' limit); it is put into the HTML as a `data:`
URI that keeps its name for the time being. Saving the question (`html_files_store`)
stores each one as a Wagtail document in the "Question files" collection, one child
collection per top-level category, and points the HTML at the document's URL
(`/documents/<id>/<name>`, served by Wagtail, which checks the collection's privacy). A
document already stored (same SHA-1, Wagtail's `file_hash`) is reused, so importing a file
twice stores its files once. Exporting to Moodle XML (`html_files_embed`) turns those URLs
back into `@@PLUGINFILE@@/name` with the file's bytes beside the text.
"""

import base64
import hashlib
import re
from urllib.parse import quote, unquote

from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils.translation import gettext as _

from .images import (
    MAX_IMAGE_BYTES,
    STORED_URL_LENGTH,
    decode_base64,
    question_collection,
)
from .images import length_before_storing as _image_length_before_storing

MAX_FILE_BYTES = MAX_IMAGE_BYTES
COLLECTION_NAME = "Question files"


def _is_mp3(data: bytes) -> bool:
    return data[:3] == b"ID3" or (len(data) > 1 and data[0] == 0xFF and data[1] & 0xE0 == 0xE0)


def _is_text(data: bytes) -> bool:
    try:
        return "\0" not in data.decode("utf-8")
    except UnicodeDecodeError:
        return False


def _is_ooxml(data: bytes) -> bool:
    return data[:4] == b"PK\x03\x04"


# extension → (MIME type, does the content look like it)
FILE_TYPES = {
    "mp3": ("audio/mpeg", _is_mp3),
    "ogg": ("audio/ogg", lambda d: d[:4] == b"OggS"),
    "wav": ("audio/wav", lambda d: d[:4] == b"RIFF" and d[8:12] == b"WAVE"),
    "m4a": ("audio/mp4", lambda d: d[4:8] == b"ftyp"),
    "pdf": ("application/pdf", lambda d: d[:5] == b"%PDF-"),
    "docx": (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        _is_ooxml,
    ),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", _is_ooxml),
    "pptx": (
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        _is_ooxml,
    ),
    "txt": ("text/plain", _is_text),
}
IMAGE_EXTENSIONS = {"png", "jpg", "jpeg", "gif", "webp", "bmp", "svg", "tif", "tiff", "ico"}
_MIME_TO_EXTENSION = {mime: ext for ext, (mime, _check) in FILE_TYPES.items()}
_DATA_FILE = re.compile(
    r"data:(?P<mime>"
    + "|".join(re.escape(mime) for mime in _MIME_TO_EXTENSION)
    + r");name=(?P<name>[A-Za-z0-9%._~-]+);base64,(?P<data>[A-Za-z0-9+/]+=*)"
)


def extension(name: str) -> str:
    return name.rsplit(".", 1)[-1].lower() if "." in name else ""


def is_image_name(name: str) -> bool:
    return extension(name) in IMAGE_EXTENSIONS


def file_check(name: str, data: bytes) -> tuple[str | None, str | None]:
    """(MIME type, None) for a file a question may link to; (None, why) otherwise."""
    if not name.strip():
        return None, _("it has no name")
    if not data:
        return None, _("it is empty")
    kind = FILE_TYPES.get(extension(name))
    if kind is None:
        return None, _(
            "files of this type are not accepted (only images, MP3, OGG, WAV and M4A audio, "
            "PDF, DOCX, XLSX, PPTX and TXT files)"
        )
    if len(data) > MAX_FILE_BYTES:
        return None, _("it is larger than %(n)s MB") % {"n": MAX_FILE_BYTES // (1024 * 1024)}
    mime, looks_right = kind
    if not looks_right(data):
        return None, _("its content is not a .%(ext)s file") % {"ext": extension(name)}
    return mime, None


def data_uri(name: str, data: bytes, mime: str) -> str:
    """A `data:` URI for a checked file that keeps the file's name until it is stored."""
    return f"data:{mime};name={quote(name, safe='')};base64,{base64.b64encode(data).decode()}"


def is_data_file(value: str) -> bool:
    return _DATA_FILE.fullmatch(value) is not None


def is_data_audio(value: str) -> bool:
    match = _DATA_FILE.fullmatch(value)
    return match is not None and match.group("mime").startswith("audio/")


def has_data_files(value: str) -> bool:
    return _DATA_FILE.search(value) is not None


def html_file_problems(value: str) -> list[str]:
    """Why each data: file in this HTML cannot be kept (one pasted into a GIFT or XLSX file,
    not read from a Moodle XML `<file>`, which is checked as it is read)."""
    problems = []
    for match in _DATA_FILE.finditer(value):
        name = unquote(match.group("name"))
        data = decode_base64(match.group("data"))
        if data is None:
            why = _("it is not valid base64")
        else:
            mime, why = file_check(name, data)
            if mime is not None and mime != match.group("mime"):
                why = _("its content is not a .%(ext)s file") % {"ext": extension(name)}
        if why:
            problems.append(
                _("the file %(name)s cannot be linked from a question: %(why)s")
                % {"name": name, "why": why}
            )
    return problems


def length_before_storing(value: str) -> int:
    """The length a text will have once its data: images and files are stored."""
    return _image_length_before_storing(_DATA_FILE.sub("x" * STORED_URL_LENGTH, value))


def files_collection(category_name: str):
    """The collection for files of questions under the top-level category `category_name`."""
    return question_collection(category_name, parent_name=COLLECTION_NAME)


def _document_prefix() -> str:
    return reverse("wagtaildocs_serve", args=(1, "x.txt")).rsplit("/1/x.txt", 1)[0] + "/"


def document_url_pattern() -> re.Pattern:
    """A Wagtail document's URL as `doc.url` gives it: the prefix, the id, the file name."""
    return re.compile(rf"{re.escape(_document_prefix())}(?P<id>[0-9]{{1,18}})/(?P<name>[^/?#\s]+)")


def is_document_url(url: str) -> bool:
    return document_url_pattern().fullmatch(url) is not None and ".." not in url


def is_document_audio(url: str) -> bool:
    match = document_url_pattern().fullmatch(url)
    return match is not None and extension(unquote(match.group("name"))) in (
        ext for ext, (mime, _check) in FILE_TYPES.items() if mime.startswith("audio/")
    )


def _stored_name(name: str, ext: str) -> str:
    """A name for the stored file: the original one without folders, not too long."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    stem = base[: -(len(ext) + 1)] if base.lower().endswith(f".{ext}") else base
    return f"{stem.strip()[:60] or 'file'}.{ext}"


def html_files_store(value: str, *, collection, cache: dict) -> str:
    """The HTML with each data: file stored as a Wagtail document (or the stored one with the
    same content reused) and pointed at by its URL. `cache` maps SHA-1 to URL for the run."""
    from wagtail.documents import get_document_model

    document_model = get_document_model()

    def store(match: re.Match) -> str:
        data = base64.b64decode(match.group("data"))
        digest = hashlib.sha1(data, usedforsecurity=False).hexdigest()
        if digest not in cache:
            document = document_model.objects.filter(file_hash=digest).order_by("pk").first()
            if document is None:
                name = unquote(match.group("name"))
                mime, why = file_check(name, data)
                if why:  # checked when the file was read; a guard, never reached
                    raise ValueError(why)
                stored = _stored_name(name, _MIME_TO_EXTENSION[mime])
                document = document_model(
                    title=name[:255], file=ContentFile(data, name=stored), collection=collection
                )
                document._set_document_file_metadata()
                document.save()
            cache[digest] = document.url
        return cache[digest]

    return _DATA_FILE.sub(store, value)


_LINK = re.compile(r"""(\b(?:href|src)\s*=\s*)(["'])([^"']*)\2""", re.I)


def html_files_embed(value: str) -> tuple[str, list[tuple[str, bytes]]]:
    """For a Moodle XML export: the HTML with each stored document's URL (and each data:
    file) replaced by `@@PLUGINFILE@@/name`, and the (name, bytes) of those files."""
    from wagtail.documents import get_document_model

    document_model = get_document_model()
    files: dict[str, bytes] = {}
    pattern = document_url_pattern()

    def swap(match: re.Match) -> str:
        url = match.group(3)
        data, name = None, None
        data_match = _DATA_FILE.fullmatch(url)
        document_match = pattern.fullmatch(url)
        if data_match:
            data = decode_base64(data_match.group("data"))
            name = unquote(data_match.group("name"))
        elif document_match and ".." not in url:
            document = document_model.objects.filter(pk=document_match.group("id")).first()
            if document is not None:
                with document.open_file() as handle:
                    data = handle.read()
                name = document.filename
        if data is None or not name:
            return match.group(0)
        if files.get(name, data) != data:  # another file of the same name in this text
            name = f"{hashlib.sha1(data, usedforsecurity=False).hexdigest()[:8]}-{name}"
        files[name] = data
        return f"{match.group(1)}{match.group(2)}@@PLUGINFILE@@/{quote(name)}{match.group(2)}"

    return _LINK.sub(swap, value), list(files.items())
