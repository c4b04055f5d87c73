import pytest
from django.urls import reverse

from sentinelle.platforms.models import Platform
from tests.factories import UserFactory
from tests.platforms.factories import PlatformDomainFactory, PlatformFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def test_changelist_lists_searches_by_domain_and_filters(staff_client):
    hit = PlatformFactory(name="Rapid Files", kind="file_host")
    PlatformDomainFactory(platform=hit, domain="rapidfiles.example")
    PlatformDomainFactory(platform=hit, domain="rapidfiles2.example")
    PlatformFactory(name="Other Tube", kind="video_platform")
    url = reverse("admin:platforms_platform_changelist")

    page = staff_client.get(url, {"q": "https://WWW.rapidfiles.example/file/1"})
    assert page.status_code == 200
    assert b"Rapid Files" in page.content and b"Other Tube" not in page.content

    page = staff_client.get(url, {"kind__exact": "video_platform"})
    assert b"Other Tube" in page.content and b"Rapid Files" not in page.content
    for params in ({"licensed__exact": "1"}, {"notice_channel__exact": "email"}, {"regime__exact": "eu"}):
        assert staff_client.get(url, params).status_code == 200


def test_change_page_has_domain_inline(staff_client):
    platform = PlatformFactory()
    PlatformDomainFactory(platform=platform, domain="inline.example")
    page = staff_client.get(reverse("admin:platforms_platform_change", args=[platform.pk]))
    assert page.status_code == 200
    assert b"inline.example" in page.content


def test_add_platform_with_domains_through_the_admin(staff_client):
    data = {
        "name": "Nouveau Hébergeur",
        "slug": "",
        "kind": "file_host",
        "jurisdiction": "fr",
        "regime": "",
        "notice_language": "fr",
        "notice_channel": "email",
        "contact_email": "abuse@hebergeur.example",
        "contact_url": "",
        "removal_markers": "",
        "notes": "",
        "is_active": "on",
        "domains-TOTAL_FORMS": "2",
        "domains-INITIAL_FORMS": "0",
        "domains-MIN_NUM_FORMS": "0",
        "domains-MAX_NUM_FORMS": "1000",
        "domains-0-domain": "Hébergeur.EXAMPLE",
        "domains-0-path_prefix": "",
        "domains-1-domain": "cdn.example.net",
        "domains-1-path_prefix": "/files",
    }
    response = staff_client.post(reverse("admin:platforms_platform_add"), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    platform = Platform.objects.get(name="Nouveau Hébergeur")
    assert (platform.jurisdiction, platform.regime, platform.slug) == ("FR", "eu", "nouveau-hebergeur")
    assert set(platform.domains.values_list("domain", "path_prefix")) == {
        ("xn--hbergeur-b1a.example", ""),
        ("cdn.example.net", "/files"),
    }


def test_admin_refuses_a_url_as_domain(staff_client):
    data = {
        "name": "Bad", "slug": "bad", "kind": "other", "jurisdiction": "", "regime": "", "notice_language": "en",
        "notice_channel": "email", "is_active": "on",
        "domains-TOTAL_FORMS": "1", "domains-INITIAL_FORMS": "0", "domains-MIN_NUM_FORMS": "0",
        "domains-MAX_NUM_FORMS": "1000", "domains-0-domain": "https://bad.example/x", "domains-0-path_prefix": "",
    }  # fmt: skip
    response = staff_client.post(reverse("admin:platforms_platform_add"), data)
    assert response.status_code == 200
    assert not Platform.objects.filter(name="Bad").exists()


def test_mark_licensed_and_unlicensed_actions(staff_client):
    a, b = PlatformFactory(licensed=False), PlatformFactory(licensed=False)
    url = reverse("admin:platforms_platform_changelist")
    staff_client.post(url, {"action": "mark_licensed", "_selected_action": [a.pk, b.pk]})
    assert set(Platform.objects.values_list("licensed", flat=True)) == {True}
    staff_client.post(url, {"action": "mark_unlicensed", "_selected_action": [a.pk]})
    a.refresh_from_db()
    b.refresh_from_db()
    assert (a.licensed, b.licensed) == (False, True)


def test_registry_admin_is_staff_only(client):
    client.force_login(UserFactory(is_staff=False))
    response = client.get(reverse("admin:platforms_platform_changelist"))
    assert response.status_code == 302
    assert "/login" in response["Location"]


# --- Deactivated, never deleted, once it has links or notices (issue 10, 5) --------------------


@pytest.fixture
def platform_with_history():
    from sentinelle.notices import services as notices
    from tests.notices.helpers import email_platform, make_links, rights

    host = email_platform("Host", "host.fr")
    make_links(rights(), host, ["https://host.fr/a"])
    notices.build_notices()
    return host


def test_a_platform_with_links_and_notices_cannot_be_deleted(staff_client, platform_with_history):
    from django.db.models import ProtectedError

    host = platform_with_history
    assert staff_client.get(reverse("admin:platforms_platform_delete", args=[host.pk])).status_code == 403
    change = staff_client.get(reverse("admin:platforms_platform_change", args=[host.pk])).content.decode()
    assert "cannot be deleted" in change
    bulk = staff_client.post(
        reverse("admin:platforms_platform_changelist"),
        {"action": "delete_selected", "_selected_action": [host.pk], "post": "yes"},
    )
    assert bulk.status_code == 200  # Django lists the protected links and notices and deletes nothing
    with pytest.raises(ProtectedError):
        Platform.objects.filter(pk=host.pk).delete()
    assert Platform.objects.filter(pk=host.pk).exists()
    assert host.links.get().platform_id == host.pk and host.notices.get().recipient_platform_id == host.pk


def test_staff_deactivate_a_platform_instead(staff_client, platform_with_history):
    host = platform_with_history
    response = staff_client.post(
        reverse("admin:platforms_platform_changelist"),
        {"action": "deactivate", "_selected_action": [host.pk]},
    )
    assert response.status_code == 302
    host.refresh_from_db()
    assert not host.is_active
    assert host.links.exists() and host.notices.exists()


def test_a_platform_without_history_is_still_deleted(staff_client):
    platform = PlatformFactory()
    response = staff_client.post(reverse("admin:platforms_platform_delete", args=[platform.pk]), {"post": "yes"})
    assert response.status_code == 302
    assert not Platform.objects.filter(pk=platform.pk).exists()


def test_staff_see_the_licensed_platforms_with_their_note_and_date(client):
    from sentinelle.members.models import STAFF_GROUP
    from sentinelle.members.services import grant_role

    staff = UserFactory()
    grant_role(staff, STAFF_GROUP)
    client.force_login(staff)
    licensed = PlatformFactory(name="Streamly", licensed=True, licence_note="Licence 2024-2027, all of France.")
    PlatformDomainFactory(platform=licensed, domain="streamly.example")
    PlatformFactory(name="Pirate Box", licensed=False)
    assert licensed.licensed_since is not None
    listing = client.get(reverse("admin:platforms_platform_changelist"))
    assert reverse("admin:platforms_platform_licensed") in listing.content.decode()
    page = client.get(reverse("admin:platforms_platform_licensed"))
    assert page.status_code == 200
    body = page.content.decode()
    assert "Streamly" in body and "streamly.example" in body and "Licence 2024-2027, all of France." in body
    assert "Pirate Box" not in body


def test_the_licensed_list_is_for_the_back_office_only(client):
    client.force_login(UserFactory(is_staff=False))
    page = client.get(reverse("admin:platforms_platform_licensed"))
    assert page.status_code == 302  # to the admin login


def test_marking_a_platform_licensed_records_the_day_and_unmarking_clears_it():
    platform = PlatformFactory(licensed=False)
    assert platform.licensed_since is None
    platform.licensed = True
    platform.save(update_fields=["licensed"])
    platform.refresh_from_db()
    assert platform.licensed_since is not None
    platform.licensed = False
    platform.save(update_fields=["licensed"])
    platform.refresh_from_db()
    assert platform.licensed_since is None
