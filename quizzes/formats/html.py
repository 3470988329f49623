"""HTML in questions: cleaned with nh3 when imported and again when shown.

Moodle lets a question, its options and its feedback be HTML (`[html]` in GIFT). What
an officer's browser gets is only formatting, lists, tables, links and images the site
itself serves: Wagtail images under MEDIA_URL (`original_images/`, `images/`; an imported
question's images are stored there, `formats.images`) and `data:` images, and links to
(or `<audio>` players of) the files of imported questions, Wagtail documents
(`/documents/<id>/<name>`, `formats.files`). Scripts, styles, event handlers, remote
images, other `data:` links and any other image or audio address are dropped.
"""

import functools
import re
from html import unescape

from django.conf import settings
from django.utils.html import escape, strip_tags
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

import nh3

from .files import is_data_audio, is_data_file, is_document_audio
from .images import is_media_image

_TAGS = {
    "a", "abbr", "audio", "b", "blockquote", "br", "caption", "code", "col", "colgroup", "dd", "del",
    "div", "dl", "dt", "em", "figcaption", "figure", "h1", "h2", "h3", "h4", "h5", "h6",
    "hr", "i", "img", "ins", "li", "ol", "p", "pre", "q", "s", "small", "span", "strong",
    "sub", "sup", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "u", "ul",
}  # fmt: skip
_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height"},
    "audio": {"src", "controls", "title"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan", "scope"},
    "ol": {"start"},
}
_URL_SCHEMES = {"http", "https", "mailto", "data"}
_REMOTE_IMAGE = re.compile(r"""<img\b[^>]*\bsrc\s*=\s*["']?\s*(?:https?:)?//""", re.I)
PLUGINFILE = "@@PLUGINFILE@@"


def _img_filter(element: str, attribute: str, value: str) -> str | None:
    # Only images of the site itself: a remote one would break the "nothing from outside"
    # rule (and the CSP would block it anyway); a path outside the public image folders
    # could point at a private file.
    if element == "img" and attribute == "src":
        if value.startswith("data:image/") or is_media_image(value):
            return value
        return None
    # A recording plays only from the site's own documents (or a file not stored yet).
    if element == "audio" and attribute == "src":
        return value if is_document_audio(value) or is_data_audio(value) else None
    # A link to a data: URI only for a file of a question not stored yet (`formats.files`).
    if element == "a" and attribute == "href" and value.strip().lower().startswith("data:"):
        return value if is_data_file(value) else None
    return value


def html_clean(value: str) -> str:
    """The HTML with everything but formatting removed."""
    return nh3.clean(
        value,
        tags=_TAGS,
        attributes=_ATTRIBUTES,
        url_schemes=_URL_SCHEMES,
        attribute_filter=_img_filter,
        link_rel="noopener noreferrer",
    )


def plain_to_html(value: str) -> str:
    """Plain text as HTML that shows the same (for a plain part of an HTML question)."""
    return escape(value).replace("\n", "<br>")


def html_problems(value: str) -> list[str]:
    """What in this HTML cannot be kept: embedded Moodle files and remote images."""
    problems = []
    if PLUGINFILE in value:
        problems.append(
            _(
                "it shows a file embedded in Moodle (@@PLUGINFILE@@), which this file does "
                "not carry: export from Moodle as Moodle XML with its files, or remove it"
            )
        )
    if _REMOTE_IMAGE.search(value):
        problems.append(_("it shows an image from another site, which the academy never loads"))
    return problems


def text_render(value: str, *, is_html: bool) -> SafeString:
    """A question's text (or option, feedback, explanation) ready for a template.

    Remembered per process: an exam shows the same few hundred texts to every officer, and
    cleaning HTML is the dearest part of drawing a question page. The result depends only
    on the text (and where media is served), so an edited question is a new entry."""
    return _text_render(value, is_html, settings.MEDIA_URL)


@functools.lru_cache(maxsize=8192)
def _text_render(value: str, is_html: bool, _media_url: str) -> SafeString:
    if is_html:
        return mark_safe(html_clean(value))  # noqa: S308 - cleaned by nh3 just now
    return linebreaks_br(value)


def linebreaks_br(value: str) -> SafeString:
    return mark_safe(plain_to_html(value))  # noqa: S308 - escaped


def text_plain(value: str, *, is_html: bool) -> str:
    """The words of a text without markup (lists, exports to plain formats)."""
    return unescape(strip_tags(value)) if is_html else value
