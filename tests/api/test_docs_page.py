"""The API's documentation page: in the reader's language, with a way back to the site."""

import pytest


@pytest.mark.django_db
def test_the_api_docs_page_has_a_language_and_a_link_back(client):
    page = client.get("/api/v1/docs", headers={"accept-language": "en"}).content.decode()
    assert '<html lang="en">' in page
    assert 'href="/"' in page and "Back to Sentinelle" in page
    assert 'id="swagger-ui"' in page


@pytest.mark.django_db
def test_the_api_docs_page_speaks_french_to_a_french_reader(client):
    page = client.get("/api/v1/docs", headers={"accept-language": "fr"}).content.decode()
    assert '<html lang="fr">' in page
