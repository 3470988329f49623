"""Serving uploaded media under `make run` (DEBUG): the public folders only, decided per request.

In production nginx serves /media/ and refuses the private folders (site/nginx/). Under
`make run` Django serves media itself, and Django's `static()` helper would hand out every
file under MEDIA_ROOT to anyone, reflection attachments and readiness exports included.
`media_serve` serves only the folders that are public in production too and answers 404
for everything else; private files are reached only through the views that check who is
asking (`courses:reflection_attachment`, `certification:export_download`, Wagtail's
document view, which checks collection privacy).

See docs/exports-and-documents.md.
"""

from django.conf import settings
from django.http import Http404
from django.views.static import serve

#: Top-level folders of MEDIA_ROOT anyone may fetch: Wagtail images (originals, renditions)
#: and the avatars of admin users. Everything else — `reflections/`,
#: `certification/exports/`, `documents/` (collection privacy) and any folder added later
#: — is private until it is listed here (and left public in the nginx configuration).
PUBLIC_MEDIA_FOLDERS = frozenset({"original_images", "images", "avatar_images"})


def media_path_is_public(path: str) -> bool:
    """Whether `path` (relative to MEDIA_ROOT, as in the URL) lies in a public folder.

    A path that climbs (`images/../reflections/…`), hides behind `.` or empty segments, or
    holds a backslash is refused outright rather than normalised.
    """
    segments = path.split("/")
    if "\\" in path or "\x00" in path or len(segments) < 2:
        return False
    if any(segment in ("", ".", "..") for segment in segments):
        return False
    return segments[0] in PUBLIC_MEDIA_FOLDERS


def media_serve(request, path: str):
    """A public media file while DEBUG is on; a 404 otherwise (nginx serves media in production)."""
    if not settings.DEBUG or not media_path_is_public(path):
        raise Http404
    return serve(request, path, document_root=settings.MEDIA_ROOT)
