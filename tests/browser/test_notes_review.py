"""A manager reviews her team's notes on a tablet and redacts a flagged one."""

import pytest
from playwright.sync_api import Page, expect

from relationships.models import Note, NoteRevision
from relationships.services import add_note
from tests.browser.helpers import assert_accessible, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_manager_redacts_a_flagged_note_and_approves_another(
    page: Page, manager, associate, store, consenting_customer
) -> None:
    flagged = add_note(
        by=associate,
        customer=consenting_customer,
        store=store,
        body="Elle est enceinte, rappeler au 06 12 34 56 78 pour la robe",
        confirmed=True,
    )
    add_note(by=associate, customer=consenting_customer, store=store, body="Loves linen, size 12")
    sign_in(page, "maya")

    page.locator("details.menu > summary", has_text="Manage").tap()

    page.get_by_role("link", name="Notes review").tap()
    expect(page.get_by_role("heading", name="2 notes")).to_be_visible()
    page.get_by_label("Flag").select_option("flagged")
    page.get_by_role("button", name="Show").tap()
    expect(page.get_by_role("heading", name="1 note")).to_be_visible()
    note = page.get_by_role("article", name="Zoë Okafor")
    expect(note.locator("mark", has_text="enceinte")).to_be_visible()
    expect(note.locator("mark", has_text="06 12 34 56 78")).to_be_visible()
    assert_accessible(page)

    note.get_by_text("Redact", exact=True).tap()
    note.get_by_label("Text to keep").fill("Rappeler pour la robe")
    note.get_by_label("Why redact").fill("Grossesse et numéro de téléphone")
    note.get_by_role("button", name="Save redaction").tap()

    expect(page.get_by_role("status")).to_contain_text("Note redacted")
    expect(page.get_by_role("heading", name="0 notes")).to_be_visible()  # still filtered: nothing waits
    flagged.refresh_from_db()
    assert (flagged.body, flagged.review) == ("Rappeler pour la robe", Note.Review.REDACTED)
    assert NoteRevision.objects.get().reason == "Grossesse et numéro de téléphone"

    page.get_by_label("Status").select_option("redacted")
    page.get_by_label("Flag").select_option("")  # what is left of it is no longer flagged
    page.get_by_role("button", name="Show").tap()
    redacted = page.get_by_role("article", name="Zoë Okafor")
    redacted.get_by_text("History (1 change)").tap()
    expect(redacted).to_contain_text("Grossesse et numéro de téléphone")
    expect(redacted.locator("mark", has_text="enceinte")).to_be_visible()  # the earlier text, for managers

    page.get_by_label("Status").select_option("pending")
    page.get_by_role("button", name="Show").tap()
    page.get_by_role("article", name="Zoë Okafor").get_by_role("button", name="Approve").tap()
    expect(page.get_by_text("No notes to show.")).to_be_visible()
    assert not Note.objects.filter(review=Note.Review.PENDING).exists()
    assert_accessible(page)
