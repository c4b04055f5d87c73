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


# --- One lockout per account whatever the case; spraying locks the address (issue 10, 2) -----


def test_case_variants_of_an_address_share_one_lockout(client, settings):
    MemberFactory(user__email="fay@example.org")
    variants = ["fay@example.org", "FAY@example.org", "Fay@Example.org", "fAy@EXAMPLE.ORG", "FaY@example.Org"]
    for variant in variants[: settings.AXES_FAILURE_LIMIT]:
        login(client, variant, "wrong-password")
    assert login(client, "fay@example.org", PASSWORD).status_code == 429
    assert login(client, "FAY@EXAMPLE.ORG", PASSWORD).status_code == 429
    assert "_auth_user_id" not in client.session


def test_one_address_trying_many_accounts_is_locked_out(client, settings):
    settings.SENTINELLE_LOGIN_ADDRESS_FAILURE_LIMIT = 6
    victims = [MemberFactory(user__email=f"spray{i}@example.org") for i in range(7)]
    for victim in victims[:5]:
        assert login(client, victim.user.email, "Summer2026!").status_code == 200
    # The 6th failure reaches the limit: the answer is already the lockout.
    assert login(client, victims[5].user.email, "Summer2026!").status_code == 429
    # The 7th account, never tried, with its right password: the address is locked out.
    assert login(client, victims[6].user.email, PASSWORD).status_code == 429
    # Another address is not.
    assert login(client, victims[6].user.email, PASSWORD, ip="203.0.113.9").status_code == 302


def test_below_the_address_limit_other_accounts_still_log_in(client, settings):
    settings.SENTINELLE_LOGIN_ADDRESS_FAILURE_LIMIT = 6
    tried = [MemberFactory(user__email=f"typo{i}@example.org") for i in range(5)]
    for member in tried:
        login(client, member.user.email, "wrong-password")
    assert login(client, MemberFactory(user__email="fine@example.org").user.email, PASSWORD).status_code == 302


def test_a_login_to_an_owned_account_does_not_reset_the_address_count(client, settings):
    settings.SENTINELLE_LOGIN_ADDRESS_FAILURE_LIMIT = 4
    MemberFactory(user__email="attacker@example.org")
    victims = [MemberFactory(user__email=f"target{i}@example.org") for i in range(4)]
    for victim in victims[:3]:
        login(client, victim.user.email, "wrong-password")
    assert login(client, "attacker@example.org", PASSWORD).status_code == 302
    client.post(reverse("logout"))
    login(client, victims[3].user.email, "wrong-password")
    assert login(client, "attacker@example.org", PASSWORD).status_code == 429


@pytest.mark.parametrize(
    ("proxies", "forwarded", "peer", "expected"),
    [
        (0, "203.0.113.5", "10.0.0.2", "10.0.0.2"),  # no proxy trusted: the header is the client's word
        (1, "203.0.113.5", "10.0.0.2", "203.0.113.5"),
        (1, "1.2.3.4, 203.0.113.5", "10.0.0.2", "203.0.113.5"),  # the left entry is forged
        (2, "1.2.3.4, 203.0.113.5, 10.0.0.9", "10.0.0.2", "203.0.113.5"),
        (1, "", "10.0.0.2", "10.0.0.2"),
        (1, "not-an-address", "10.0.0.2", "10.0.0.2"),
        (2, "203.0.113.5", "10.0.0.2", "10.0.0.2"),  # fewer entries than proxies: not through them all
    ],
)
def test_the_client_address_behind_trusted_proxies(rf, settings, proxies, forwarded, peer, expected):
    from sentinelle.core.client import client_ip

    settings.SENTINELLE_TRUSTED_PROXY_COUNT = proxies
    request = rf.get("/", HTTP_X_FORWARDED_FOR=forwarded, REMOTE_ADDR=peer)
    assert client_ip(request) == expected


def test_spraying_through_a_proxy_locks_the_client_not_the_proxy(client, settings):
    settings.SENTINELLE_TRUSTED_PROXY_COUNT = 1
    settings.SENTINELLE_LOGIN_ADDRESS_FAILURE_LIMIT = 3
    members = [MemberFactory(user__email=f"p{i}@example.org") for i in range(4)]
    for member in members[:3]:
        client.post(
            reverse("login"),
            {"username": member.user.email, "password": "nope"},
            REMOTE_ADDR="10.0.0.2",
            HTTP_X_FORWARDED_FOR="198.51.100.66",
        )
    locked = {"username": members[3].user.email, "password": PASSWORD}
    assert (
        client.post(reverse("login"), locked, REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="198.51.100.66").status_code
        == 429
    )
    other = client.post(reverse("login"), locked, REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="198.51.100.67")
    assert other.status_code == 302
