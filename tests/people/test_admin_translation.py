"""The Wagtail admin speaks Chinese: this project's catalogue never changes what Wagtail's
own words mean, and it fills in the admin messages Wagtail's catalogue leaves in English.

Django reads the project's catalogue before Wagtail's, so a plain msgid such as "Pages" or
"Type" translated for one of this project's pages would also rename Wagtail's sidebar and
listing columns. The project's ambiguous words carry a message context (`pgettext`).
"""

import gettext
from pathlib import Path

from django.conf import settings
from django.urls import reverse
from django.utils import translation

import wagtail

import pytest

from people.factories import StaffFactory
from people.models import Role
from people.wagtail_strings import WAGTAIL_MSGIDS

WAGTAIL_DIR = Path(wagtail.__file__).resolve().parent
OUR_MO = Path(settings.BASE_DIR) / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.mo"

#: Words this project also uses, where Wagtail's meaning must win in the admin.
AMBIGUOUS = [
    "Pages",
    "Type",
    "Field",
    "Fields",
    "required",
    "Name",
    "In progress",
    "Comment",
    "comment",
    "Remove",
]

#: Plain msgids both catalogues translate, in the same sense but in this project's words
#: (e.g. 退出登录 for "Log out" where Wagtail says 注销). Anything else differing fails.
SAME_MEANING = {
    "Action",
    "Admin",
    "All",
    "Apply filters",
    "Approve",
    "Approved",
    "Check your email",
    "Code",
    "Filter",
    "Format",
    "Log out",
    "Next",
    "Previous",
    "Saving…",
    "Show",
    "active",
    "description",
    "finished at",
    "started at",
}


def _catalog(path: Path) -> dict:
    with path.open("rb") as handle:
        return gettext.GNUTranslations(handle)._catalog


@pytest.fixture(scope="module")
def wagtail_catalog() -> dict:
    merged: dict = {}
    for mo in sorted(WAGTAIL_DIR.glob("**/locale/zh_Hans/LC_MESSAGES/django.mo")):
        for key, value in _catalog(mo).items():
            if key and value:
                merged.setdefault(key, value)
    return merged


def test_no_plain_msgid_of_ours_changes_a_wagtail_translation(wagtail_catalog):
    ours = _catalog(OUR_MO)
    changed = {
        key: (value, wagtail_catalog[key])
        for key, value in ours.items()
        if isinstance(key, str) and key in wagtail_catalog and wagtail_catalog[key] != value
    }
    unexpected = {key: pair for key, pair in changed.items() if key not in SAME_MEANING}
    assert unexpected == {}, "use pgettext for these project strings"


@pytest.mark.parametrize("msgid", AMBIGUOUS)
def test_ambiguous_words_are_ours_only_with_a_context(wagtail_catalog, msgid):
    assert msgid not in _catalog(OUR_MO), f"{msgid!r} needs a message context here"
    if msgid in wagtail_catalog:
        with translation.override("zh-hans"):
            assert translation.gettext(msgid) == wagtail_catalog[msgid]


@pytest.mark.parametrize("msgid", WAGTAIL_MSGIDS)
def test_messages_wagtail_leaves_in_english_are_chinese_here(msgid):
    # Still a Wagtail message (copied exactly), or the line is stale and should go.
    needle = msgid.split("%(")[0].split("{")[0][:40]
    assert any(
        needle in path.read_text(encoding="utf-8", errors="ignore")
        for path in WAGTAIL_DIR.rglob("*")
        if path.suffix in {".py", ".html"} and "tests" not in path.parts
    ), f"not in Wagtail's source any more: {msgid}"
    with translation.override("zh-hans"):
        shown = translation.gettext(msgid)
    assert shown != msgid
    assert any("\u4e00" <= ch <= "\u9fff" for ch in shown)


@pytest.mark.django_db
def test_the_admin_sidebar_and_listings_use_wagtails_words(client, city):
    admin = StaffFactory(role=Role.CITY_ADMIN, unit=city["city"])
    client.force_login(admin)
    home = client.get(reverse("wagtailadmin_home"), HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert home.status_code == 200
    # The sidebar is drawn from JSON in the page, where Chinese may be \\u-escaped.
    text = home.content.decode()
    text = text + text.encode().decode("unicode_escape", errors="ignore")
    assert "页面" in text  # the sidebar's "Pages"
    assert "分页" not in text
    assert "Your pages and snippets in a workflow" not in text

    listing = client.get(
        reverse("wagtailsnippets_quizzes_question:list"), HTTP_ACCEPT_LANGUAGE="zh-hans"
    )
    assert listing.status_code == 200
    assert "Go to the first error" not in listing.content.decode()


@pytest.mark.django_db
def test_the_root_page_and_workflows_carry_chinese_names(city):
    from wagtail.models import Page, Workflow

    from courses.factories import site_root, training_index
    from courses.services import county_section_ensure, moderation_workflow_ensure
    from courses.services.training import SITE_ROOT_TITLE

    root = site_root()
    root.refresh_from_db()
    assert root.title == SITE_ROOT_TITLE
    assert not Page.objects.filter(title__startswith="Welcome to your new Wagtail").exists()

    # A site set up by an earlier release has English workflow names: renamed in place.
    legacy = Workflow.objects.create(name="Trainer submits, county reviewer publishes")
    before = Workflow.objects.count()
    workflow = moderation_workflow_ensure(root=root)
    county_section_ensure(county=city["county1"], index=training_index())
    names = set(Workflow.objects.values_list("name", flat=True))
    assert workflow.name in names
    english = ("submits", "reviewer", "approval", "Moderators", "publishes")
    assert not [name for name in names if any(word in name for word in english)], names
    assert workflow.pk == legacy.pk, "renamed in place, keeping its history"
    assert Workflow.objects.count() == before + 1  # the county section's own workflow
