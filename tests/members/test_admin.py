import pytest
from django.urls import reverse

from sentinelle.members.models import INVESTIGATOR_GROUP, STAFF_GROUP
from sentinelle.members.services import grant_role
from tests.factories import MemberFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_back_office_pages_open_for_staff(admin_client):
    member = MemberFactory()
    for url in [
        reverse("admin:members_user_change", args=[member.user.pk]),
        reverse("admin:members_member_change", args=[member.pk]),
        reverse("admin:members_user_add"),
    ]:
        assert admin_client.get(url).status_code == 200, url


def test_staff_grants_a_member_another_daily_quota(client):
    operator = UserFactory()
    grant_role(operator, STAFF_GROUP)
    client.force_login(operator)
    member = MemberFactory(kinds=["composer"])
    url = reverse("admin:members_member_change", args=[member.pk])
    response = client.post(
        url,
        {
            "user": member.user.pk,
            "member_number": member.member_number,
            "name": member.name,
            "ipi_name_number": member.ipi_name_number,
            "kinds": ["composer", "publisher"],
            "daily_link_quota": "25",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    member.refresh_from_db()
    assert member.daily_link_quota == 25
    assert member.kinds == ["composer", "publisher"]


def test_investigator_cannot_edit_members(client):
    investigator = UserFactory()
    grant_role(investigator, INVESTIGATOR_GROUP)
    client.force_login(investigator)
    member = MemberFactory()
    assert client.get(reverse("admin:members_member_change", args=[member.pk])).status_code == 403
