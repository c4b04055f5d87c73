import pytest
from django.urls import reverse

from sentinelle.catalogue.models import AlternateTitle
from tests.factories import InterestFactory, MemberFactory, UserFactory, WorkFactory

pytestmark = pytest.mark.django_db


def test_login_page_is_served(client):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    assert 'name="csrfmiddlewaretoken"' in response.content.decode()


def test_my_catalogue_requires_login(client):
    response = client.get(reverse("catalogue:my-works"))
    assert response.status_code == 302
    assert reverse("login") in response.url


def test_member_sees_only_own_works(client):
    alice = InterestFactory(work__title="Alice's Song").member
    bob_interest = InterestFactory(work__title="Bob's Secret Ballad")
    client.force_login(alice.user)
    page = client.get(reverse("catalogue:my-works")).content.decode()
    assert "Alice&#x27;s Song" in page
    assert "Bob" not in page
    # Searching for the other member's title or ISWC finds nothing either.
    for query in ["Secret Ballad", bob_interest.work.iswc, bob_interest.work.iswc_display]:
        response = client.get(reverse("catalogue:my-works"), {"q": query})
        assert list(response.context["page"].object_list) == []
        assert '<td class="title">Bob' not in response.content.decode()


def test_search_by_title_alternate_title_and_iswc(client):
    member = MemberFactory()
    work = InterestFactory(member=member, work__title="La Vie en rose").work
    other = InterestFactory(member=member, work__title="Hymne").work
    AlternateTitle.objects.create(work=other, title="Hymn to love")
    client.force_login(member.user)
    url = reverse("catalogue:my-works")
    assert list(client.get(url, {"q": "vie en"}).context["page"].object_list) == [work]
    assert list(client.get(url, {"q": "hymn to"}).context["page"].object_list) == [other]
    assert list(client.get(url, {"q": work.iswc_display}).context["page"].object_list) == [work]
    assert list(client.get(url, {"q": work.iswc.lower()}).context["page"].object_list) == [work]


def test_catalogue_is_paginated(client, settings):
    settings.SENTINELLE_PAGE_SIZE = 5
    member = MemberFactory()
    for i in range(12):
        InterestFactory(member=member, work__title=f"Song {i:02d}")
    client.force_login(member.user)
    url = reverse("catalogue:my-works")
    first = client.get(url).context["page"]
    assert first.count == 12 and len(first.object_list) == 5 and not first.has_previous
    second = client.get(url, {"after": first.next_after}).context["page"]
    third = client.get(url, {"after": second.next_after}).context["page"]
    assert [w.title for w in third.object_list] == ["Song 10", "Song 11"] and not third.has_next
    back = client.get(url, {"before": third.previous_before}).context["page"]
    assert [w.title for w in back.object_list] == [w.title for w in second.object_list]
    # Junk positions fall back to the first page rather than an error.
    for junk in [{"after": "abc"}, {"before": "-3"}, {"after": str(10**30)}]:
        response = client.get(url, junk)
        assert response.status_code == 200
        assert response.context["page"].object_list == first.object_list


def test_user_without_member_profile_has_no_catalogue(client):
    WorkFactory()
    client.force_login(UserFactory())
    response = client.get(reverse("catalogue:my-works"))
    assert response.status_code == 200
    assert response.context["page"] is None


def test_member_cannot_use_the_admin(client):
    member = InterestFactory().member
    other_work = InterestFactory().work
    client.force_login(member.user)
    for url in [reverse("admin:index"), reverse("admin:catalogue_work_change", args=[other_work.pk])]:
        response = client.get(url)
        assert response.status_code == 302
        assert "/admin/login/" in response.url


def test_staff_sees_every_work_in_the_admin(admin_client):
    works = [InterestFactory().work for _ in range(2)]
    page = admin_client.get(reverse("admin:catalogue_work_changelist")).content.decode()
    for work in works:
        assert work.title in page
