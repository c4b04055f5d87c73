import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import identify_hasher
from django.urls import reverse

from sentinelle.members.models import INVESTIGATOR_GROUP, STAFF_GROUP
from sentinelle.members.services import create_member, grant_role
from tests.factories import PASSWORD, MemberFactory, UserFactory, make_ipi

pytestmark = pytest.mark.django_db


def login(client, email, password, ip="198.51.100.7"):
    return client.post(reverse("login"), {"username": email, "password": password}, REMOTE_ADDR=ip)


def test_login_with_email_case_insensitive_then_logout(client):
    member = MemberFactory(user__email="alice@example.org")
    response = login(client, "Alice@Example.ORG", PASSWORD)
    assert response.status_code == 302
    assert response.url == reverse("home")  # which sends a member on to their dashboard
    assert client.get(response.url).url == reverse("stats:member")
    assert client.get(reverse("catalogue:my-works")).context["member"] == member
    client.post(reverse("logout"))
    assert client.get(reverse("catalogue:my-works")).status_code == 302


def test_wrong_password_is_refused_with_a_message(client):
    MemberFactory(user__email="bob@example.org")
    response = login(client, "bob@example.org", "not-the-password")
    assert response.status_code == 200
    assert "didn" in response.content.decode() or "correspondent" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_lockout_after_repeated_failures_even_with_the_right_password(client, settings):
    MemberFactory(user__email="carol@example.org")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        login(client, "carol@example.org", "wrong-password")
    response = login(client, "carol@example.org", PASSWORD)
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_failures_below_the_limit_do_not_lock(client, settings):
    MemberFactory(user__email="dan@example.org")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        login(client, "dan@example.org", "wrong-password")
    assert login(client, "dan@example.org", PASSWORD).status_code == 302


def test_passwords_are_hashed_with_argon2(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.Argon2PasswordHasher"]
    member = create_member(
        email="eve@example.org",
        password="a-long-passphrase-42",
        name="Eve Durand",
        member_number="M-900",
        kinds=["composer"],
        ipi_name_number=make_ipi(4242),
    )
    assert identify_hasher(member.user.password).algorithm == "argon2"
    assert member.user.check_password("a-long-passphrase-42")


def test_create_member_refuses_a_bad_ipi():
    from sentinelle.catalogue.identifiers import IdentifierError

    with pytest.raises(IdentifierError):
        create_member(
            email="x@example.org",
            password="p" * 12,
            name="X",
            member_number="M-1",
            kinds=["author"],
            ipi_name_number="00130568297",
        )
    assert not get_user_model().objects.filter(email="x@example.org").exists()


def test_roles_are_groups_with_permissions():
    staff = UserFactory()
    grant_role(staff, STAFF_GROUP)
    investigator = UserFactory()
    grant_role(investigator, INVESTIGATOR_GROUP)
    staff.refresh_from_db()
    assert staff.is_staff
    assert staff.has_perm("catalogue.change_work")
    assert not investigator.has_perm("catalogue.change_work")
    assert investigator.has_perm("catalogue.view_work")
    assert investigator.is_investigator and not staff.is_investigator
