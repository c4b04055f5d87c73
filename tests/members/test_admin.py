import pytest
from django.urls import reverse

from sentinelle.members.models import INVESTIGATOR_GROUP, STAFF_GROUP, Member, User
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


# --- Staff run the society's accounts without privileges (issue 10, 1; issue 13, 7) ----------


def _staff_operator():
    operator = UserFactory(email="desk@example.org")
    grant_role(operator, STAFF_GROUP)
    return operator


def _user_change_data(user, **extra):
    data = {
        "email": user.email,
        "full_name": user.full_name,
        "language": "",
        "is_active": "on",
        "date_joined_0": user.date_joined.strftime("%Y-%m-%d"),
        "date_joined_1": user.date_joined.strftime("%H:%M:%S"),
        "member-TOTAL_FORMS": "0",
        "member-INITIAL_FORMS": "0",
        "member-MIN_NUM_FORMS": "0",
        "member-MAX_NUM_FORMS": "1",
    }
    data.update(extra)
    return data


def test_staff_user_form_offers_no_privilege_field(client):
    client.force_login(_staff_operator())
    target = UserFactory()
    form = client.get(reverse("admin:members_user_change", args=[target.pk])).context["adminform"].form
    assert set(form.fields) >= {"email", "full_name", "is_active"}
    for field in ("is_superuser", "is_staff", "groups", "user_permissions"):
        assert field not in form.fields, field


def test_superuser_user_form_still_offers_the_privileges(admin_client):
    target = UserFactory()
    form = admin_client.get(reverse("admin:members_user_change", args=[target.pk])).context["adminform"].form
    assert {"is_superuser", "is_staff", "groups", "user_permissions"} <= set(form.fields)


@pytest.mark.parametrize(
    "field",
    ["is_superuser", "is_staff", "groups", "user_permissions"],
)
def test_staff_cannot_grant_a_privilege_by_posting_it(client, field):
    from django.contrib.auth.models import Group, Permission

    operator = _staff_operator()
    client.force_login(operator)
    staff_group = Group.objects.get(name=STAFF_GROUP)
    values = {
        "is_superuser": "on",
        "is_staff": "on",
        "groups": [str(staff_group.pk)],
        "user_permissions": [str(Permission.objects.get(codename="change_user").pk)],
    }
    for target in (operator, UserFactory(email="plain@example.org")):
        response = client.post(
            reverse("admin:members_user_change", args=[target.pk]),
            _user_change_data(target, full_name="Renamed", **{field: values[field]}),
        )
        assert response.status_code == 302, response.content.decode()[:2000]
        target.refresh_from_db()
        assert target.full_name == "Renamed"  # the form was taken…
        assert not target.is_superuser  # …and no privilege came with it
        assert not target.user_permissions.exists()
    plain = User.objects.get(email="plain@example.org")
    assert not plain.is_staff and not plain.groups.exists()
    assert list(operator.groups.values_list("name", flat=True)) == [STAFF_GROUP]


def test_staff_cannot_edit_a_superuser_nor_reset_their_password(client):
    client.force_login(_staff_operator())
    boss = User.objects.create_superuser("boss@example.org", "an-old-passphrase-1")
    change = reverse("admin:members_user_change", args=[boss.pk])
    password = reverse("admin:auth_user_password_change", args=[boss.pk])
    response = client.get(change)
    # Read-only at most: no form to submit.
    assert response.status_code == 200 and not response.context["has_change_permission"]
    client.post(change, _user_change_data(boss, full_name="Pwned", is_active=""))
    assert client.get(password).status_code == 403
    posted = client.post(password, {"password1": "a-new-passphrase-9", "password2": "a-new-passphrase-9"})
    assert posted.status_code == 403
    boss.refresh_from_db()
    assert boss.full_name != "Pwned" and boss.is_active
    assert boss.check_password("an-old-passphrase-1")


def test_staff_still_reset_a_members_password():
    # The password form stays open to staff for the accounts they run.
    from django.test import Client

    client = Client()
    client.force_login(_staff_operator())
    member = MemberFactory()
    url = reverse("admin:auth_user_password_change", args=[member.user.pk])
    response = client.post(url, {"password1": "a-new-passphrase-9", "password2": "a-new-passphrase-9"})
    assert response.status_code == 302, response.content.decode()[:2000]
    member.user.refresh_from_db()
    assert member.user.check_password("a-new-passphrase-9")


def test_staff_create_a_user_then_its_member(client):
    client.force_login(_staff_operator())
    response = client.post(
        reverse("admin:members_user_add"),
        {
            "email": "New.Member@Example.org",
            "full_name": "Nina Nouvelle",
            "password1": "a-long-passphrase-42",
            "password2": "a-long-passphrase-42",
            "member-TOTAL_FORMS": "0",
            "member-INITIAL_FORMS": "0",
            "member-MIN_NUM_FORMS": "0",
            "member-MAX_NUM_FORMS": "1",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    user = User.objects.get(email__iexact="new.member@example.org")
    assert not user.is_staff and not user.is_superuser
    response = client.post(
        reverse("admin:members_member_add"),
        {"user": user.pk, "member_number": "M-4242", "name": "Nina Nouvelle", "kinds": ["author"]},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Member.objects.get(user=user).member_number == "M-4242"
