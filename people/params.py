"""Numbers from query strings and forms: one checked way to read a year, a page or an id.

A view never calls `int()` on `request.GET` or `request.POST` itself. A value a person could
not have produced by using the site (`?year=0`, `?year=abc`, an id of twenty digits) is a
400 Bad Request, not a 500; an absent or empty value is the documented default. Only plain
ASCII digits count: `"²".isdigit()` is true, but `int("²")` fails.

See docs/exports-and-documents.md.
"""

from collections.abc import Mapping

from django.core.exceptions import BadRequest
from django.utils.translation import gettext as _

#: The years a page or a form may ask about (a certificate, an hours ledger, a review).
YEAR_MIN = 1900
YEAR_MAX = 2099

#: The largest primary key (`BigAutoField`).
ID_MAX = 2**63 - 1

#: A page number past any real list; the paginator then shows the last page.
PAGE_MAX = 1_000_000

_MISSING = object()


def _whole_number(text: str) -> int | None:
    """`text` as a non-negative whole number, or None: ASCII digits only, at most 19 of them."""
    text = text.strip()
    if not text or len(text) > 19 or not (text.isascii() and text.isdigit()):
        return None
    return int(text)


def year_param(data: Mapping, *, name: str = "year", default: int | object = _MISSING) -> int:
    """The year in `data[name]`, from YEAR_MIN to YEAR_MAX.

    Absent or empty: `default` (a 400 when there is none). Anything else: a 400.
    """
    raw = str(data.get(name) or "").strip()
    if not raw and default is not _MISSING:
        return default  # type: ignore[return-value]
    year = _whole_number(raw)
    if year is None or not YEAR_MIN <= year <= YEAR_MAX:
        raise BadRequest(
            _("The year must be a whole number from %(first)s to %(last)s.")
            % {"first": YEAR_MIN, "last": YEAR_MAX}
        )
    return year


def id_param(data: Mapping, *, name: str) -> int:
    """The id in `data[name]`: a whole number from 1. Absent, empty or anything else: a 400."""
    number = _whole_number(str(data.get(name) or ""))
    if number is None or not 1 <= number <= ID_MAX:
        raise BadRequest(_("Not a valid id: %(name)s.") % {"name": name})
    return number


def id_list_param(data, *, name: str) -> list[int]:
    """Every id in `data.getlist(name)` (checkboxes); one that is not a valid id is a 400."""
    return [id_param({name: value}, name=name) for value in data.getlist(name)]


def page_param(data: Mapping, *, name: str = "page") -> int:
    """The page number in `data[name]`, from 1 to PAGE_MAX: page 1 when absent or unreadable.

    Lenient on purpose, like Django's `Paginator.get_page` that the list pages use: a stale
    or hand-edited page link shows the first page rather than an error; the caller limits
    the number to the pages there are.
    """
    number = _whole_number(str(data.get(name) or ""))
    if number is None or number < 1:
        return 1
    return min(number, PAGE_MAX)
