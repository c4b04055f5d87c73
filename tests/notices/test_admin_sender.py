"""The back office shows a notice's sender as an address, not as the JSON it is stored in."""

from __future__ import annotations

import pytest

from sentinelle.notices.legal import sender_lines
from tests.factories import UserFactory
from tests.notices.test_admin_and_exports import bulk_notice

pytestmark = pytest.mark.django_db

SENDER = {
    "name": "Société des auteurs",
    "street": "1 rue de la Musique",
    "postcode": "75009",
    "city": "Paris",
    "country": "FR",
    "email": "desk@society.example",
    "phone": "+33 1 00 00 00 00",
    "legal_representative": "Jeanne Martin",
    "address": "1 rue de la Musique, 75009 Paris",
}


def test_the_sender_reads_as_an_address():
    assert sender_lines(SENDER) == [
        "Société des auteurs",
        "1 rue de la Musique",
        "75009 Paris",
        "FR",
        "e-mail: desk@society.example",
        "phone: +33 1 00 00 00 00",
        "represented by Jeanne Martin",
    ]


def test_a_sender_without_street_shows_its_one_line_address():
    assert sender_lines({"name": "S", "address": "somewhere", "city": ""}) == ["S", "somewhere"]


def test_the_notice_page_shows_the_sender_as_text_escaped(registry_platforms, client):
    notice = bulk_notice(registry_platforms)
    notice.sender = {**SENDER, "name": "<b>Société</b>"}
    notice.save(update_fields=["sender"])
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    page = client.get(f"/admin/notices/notice/{notice.pk}/change/").content.decode()
    assert "&lt;b&gt;Société&lt;/b&gt;<br>1 rue de la Musique<br>75009 Paris" in page
    assert "field-sender_text" in page and 'class="form-row field-sender"' not in page
    row = page[page.index("field-sender_text") :]
    row = row[: row.index("form-row")]
    assert "{" not in row and "legal_representative" not in row
