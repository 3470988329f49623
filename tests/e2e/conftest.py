"""End-to-end journeys in a real browser: Playwright driving Debian's Chromium, headless,
against pytest-django's live server on loopback.

Chromium comes from the system (`/usr/bin/chromium`, or `CHROMIUM_PATH`); nothing is
downloaded. Without it these tests skip, unless `REQUIRE_BROWSER=1` (CI), where they fail.
A failing test leaves a screenshot and the page HTML in `test-results/`.
"""

import os
import shutil
from pathlib import Path
from urllib.parse import urldefrag

import pytest

# Playwright's sync API runs an event loop in this thread; the ORM calls the tests make
# to set up data are still plain synchronous code, so Django's async guard is lifted here.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

RESULTS = Path(__file__).resolve().parents[2] / "test-results"
AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
PHONE = {"width": 390, "height": 844}

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


def _chromium_path() -> str | None:
    configured = os.environ.get("CHROMIUM_PATH")
    if configured:
        return configured if Path(configured).exists() else None
    return shutil.which("chromium") or shutil.which("chromium-browser")


def _missing(reason: str):
    if os.environ.get("REQUIRE_BROWSER") == "1":
        pytest.fail(f"{reason} (REQUIRE_BROWSER=1)")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def browser():
    path = _chromium_path()
    if path is None:
        _missing("Chromium is not installed (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _missing("playwright is not installed")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=path, headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.hookimpl(tryfirst=True, hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"report_{report.when}", report)


def _address(url: str) -> str:
    """A page's address without its fragment: what one accessibility check covers."""
    return urldefrag(url).url


# Every page a journey loads, and the pages checked with axe, per open page.
_LOADED: dict[int, list[str]] = {}
_CHECKED: dict[int, set[str]] = {}


def _new_page(browser, request, live_server, viewport):
    context = browser.new_context(
        viewport=viewport, base_url=live_server.url, locale="zh-CN", timezone_id="Asia/Shanghai"
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    loaded = _LOADED[id(page)] = []
    checked = _CHECKED[id(page)] = set()
    page.on("load", lambda loaded_page: loaded.append(_address(loaded_page.url)))
    yield page
    failed = getattr(request.node, "report_call", None)
    if failed is not None and failed.failed:
        RESULTS.mkdir(exist_ok=True)
        name = request.node.nodeid.replace("/", "_").replace("::", "__")
        page.screenshot(path=str(RESULTS / f"{name}.png"), full_page=True)
        (RESULTS / f"{name}.html").write_text(page.content(), encoding="utf-8")
    context.close()
    _LOADED.pop(id(page))
    _CHECKED.pop(id(page))
    if failed is not None and failed.passed and request.node.get_closest_marker("journey"):
        unchecked = sorted({url for url in loaded if url not in checked})
        assert not unchecked, f"pages of this journey not checked with axe: {unchecked}"


@pytest.fixture
def phone(browser, request, live_server):
    """A page in a phone-sized window (390×844)."""
    yield from _new_page(browser, request, live_server, PHONE)


@pytest.fixture
def desktop(browser, request, live_server):
    yield from _new_page(browser, request, live_server, {"width": 1280, "height": 900})


def axe_violations(page, *, impacts=("serious", "critical")) -> list[dict]:
    """Run axe-core (from the npm registry, see package.json) in the page."""
    if not AXE.exists():
        _missing("axe-core is not installed (npm ci)")
    # Evaluated through the DevTools protocol, so the page's strict CSP (which refuses
    # injected script tags, as it should) does not block the checker itself.
    page.evaluate(AXE.read_text(encoding="utf-8") + "\n;undefined")
    # Colours are measured once transitions end (a message sliding in is not yet its colour).
    page.evaluate(
        """() => Promise.race([
            Promise.all(document.getAnimations()
                .filter(a => a.playState === "running")
                .filter(a => a.effect && a.effect.getTiming().iterations !== Infinity)
                .map(a => a.finished.catch(() => null))),
            new Promise(resolve => setTimeout(resolve, 1500)),
        ])"""
    )
    result = page.evaluate("async () => await axe.run(document)")
    return [
        {
            "id": v["id"],
            "impact": v["impact"],
            "help": v["help"],
            "nodes": len(v["nodes"]),
            "first": [" ".join(node["target"]) for node in v["nodes"][:3]],
        }
        for v in result["violations"]
        if v["impact"] in impacts
    ]


def assert_accessible(page) -> None:
    """The page now shown has no serious or critical axe violations; it counts as checked.

    A journey (a test marked `journey`) must check every page it loads: the `phone` and
    `desktop` fixtures fail the journey when a page it loaded was never checked.
    """
    page.wait_for_load_state()
    violations = axe_violations(page)
    assert violations == [], f"{page.url}: {violations}"
    checked = _CHECKED.get(id(page))
    if checked is not None:
        checked.add(_address(page.url))


def login(page, username: str, password: str) -> None:
    page.goto("/accounts/login/")
    assert_accessible(page)
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("main form button[type=submit]")
    page.wait_for_load_state()
    assert_accessible(page)


@pytest.fixture
def wagtail_site(transactional_db):
    """The Wagtail root page, site, locale and collection that migrations create.

    A transactional test's flush removes them, and `serialized_rollback` cannot bring them
    back here: Playwright's sync API runs the tests in another context, where Django's
    connection is not the object the test database was serialized on. So they are put
    back when missing (the first test of a run still finds the migrated ones).
    """
    from django.conf import settings

    from wagtail.coreutils import get_supported_content_language_variant
    from wagtail.models import Collection, Locale, Page, Site

    locale, _created = Locale.objects.get_or_create(
        language_code=get_supported_content_language_variant(settings.LANGUAGE_CODE)
    )
    if not Collection.objects.exists():
        Collection.add_root(name="Root")
    if not Page.objects.exists():
        root = Page.add_root(instance=Page(title="Root", slug="root", locale=locale))
        home = root.add_child(instance=Page(title="首页", slug="home", locale=locale))
        Site.objects.create(hostname="localhost", root_page=home, is_default_site=True)
