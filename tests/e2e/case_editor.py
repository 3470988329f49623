"""What the case journeys do in the Wagtail page editor: write a case and submit it, or
pick an action from the editor's footer menu."""

from django.urls import reverse

from cases.models import CasePage

from .conftest import assert_accessible


def footer_action(page, selector: str, field: str) -> None:
    """Open the editor's footer menu (its extra actions sit in a dropdown), pick one, and wait
    for the form post that carries it (`field`) to be answered.

    Waiting for the URL is not enough: the editor autosaves a new page in the background
    and moves the address to its edit view before the chosen action is ever sent.
    """
    page.click("footer [data-w-dropdown-target='toggle']")
    with page.expect_response(
        lambda r: r.request.method == "POST" and field in (r.request.post_data or "")
    ) as posted:
        page.click(f"footer {selector}")
    assert posted.value.status == 302, posted.value.status
    page.wait_for_load_state()


def case_write_and_submit(
    page,
    *,
    library,
    title: str,
    case_number: str,
    decided_on: str,
    field: str,
    facts: str,
    penalty: str,
    county,
) -> CasePage:
    """As the signed-in trainer: add a case under `library`, fill what it needs and submit
    it for review; every page on the way is checked for accessibility. Returns the case."""
    page.goto(reverse("wagtailadmin_pages:add", args=["cases", "casepage", library.pk]))
    assert_accessible(page)
    page.fill("#id_title", title)
    page.fill("#id_case_number", case_number)
    page.fill("#id_decided_on", decided_on)
    # The enforcement field is a snippet, picked in the chooser's modal.
    page.click("[data-contentpath='field'] [data-chooser-action-choose]")
    page.click(f".modal a:has-text('{field}')")
    page.wait_for_function("document.getElementById('id_field').value !== ''")
    # The facts are rich text (Draftail): type into the editor, and wait until it has
    # written them into the form's hidden input.
    editor = page.locator("[data-contentpath='facts'] [contenteditable='true']")
    editor.click()
    page.keyboard.insert_text(facts)
    page.wait_for_function(
        "text => document.getElementById('id_facts').value.includes(text)", arg=facts[:6]
    )
    page.fill("#id_penalty", penalty)
    # A trainer files the case under their own county (the menu offers no other).
    page.select_option("#id_county", str(county.pk))
    footer_action(page, "button[name='action-submit']", "action-submit")
    assert page.locator(".messages li.error").count() == 0
    assert_accessible(page)  # the library's page listing, where the editor lands
    return CasePage.objects.get(title=title)
