"""Personal API tokens: the services and the account page."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest
from django.test import Client
from django.utils import timezone

from sentinelle.members.models import ApiToken
from sentinelle.members.services import authenticate_api_token, create_api_token, revoke_api_token
from tests.factories import MemberFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_a_token_is_shown_once_and_only_its_hash_is_stored() -> None:
    user = UserFactory()
    row, plaintext = create_api_token(user, "my script")
    scheme, prefix, secret = plaintext.split("_", 2)
    assert (scheme, len(prefix), len(secret)) == ("snt", 8, 43)
    stored = ApiToken.objects.filter(pk=row.pk).values().get()
    assert stored["key_hash"] == hashlib.sha256(plaintext.encode()).hexdigest()
    assert stored["prefix"] == prefix
    # Nothing in the row holds the secret, in any column.
    assert not any(secret in str(value) for value in stored.values())
    assert not ApiToken.objects.filter(key_hash__contains=secret).exists()


def test_two_tokens_never_share_a_key() -> None:
    user = UserFactory()
    _a, first = create_api_token(user, "a")
    _b, second = create_api_token(user, "b")
    assert first != second
    assert authenticate_api_token(first) == user
    assert authenticate_api_token(second) == user


@pytest.mark.parametrize(
    "presented",
    ["", "garbage", "snt_", "Bearer snt_x", "snt_zzzzzzzz_" + "a" * 43, "snt_0123abcd_" + "a" * 43, "x" * 10_000],
)
def test_unknown_or_malformed_tokens_authenticate_nobody(presented: str) -> None:
    create_api_token(UserFactory(), "real")
    assert authenticate_api_token(presented) is None


def test_a_revoked_token_no_longer_authenticates() -> None:
    user = UserFactory()
    row, plaintext = create_api_token(user, "old")
    revoke_api_token(user, row.pk)
    row.refresh_from_db()
    assert row.revoked_at is not None
    assert authenticate_api_token(plaintext) is None


def test_an_inactive_users_token_authenticates_nobody() -> None:
    user = UserFactory(is_active=False)
    _row, plaintext = create_api_token(user, "x")
    assert authenticate_api_token(plaintext) is None


def test_nobody_revokes_another_users_token() -> None:
    owner, other = UserFactory(), UserFactory()
    row, plaintext = create_api_token(owner, "mine")
    with pytest.raises(ApiToken.DoesNotExist):
        revoke_api_token(other, row.pk)
    assert authenticate_api_token(plaintext) == owner


def test_last_used_is_written_at_most_once_a_minute() -> None:
    user = UserFactory()
    row, plaintext = create_api_token(user, "x")
    t0 = timezone.now()
    authenticate_api_token(plaintext, now=t0)
    row.refresh_from_db()
    assert row.last_used_at == t0
    authenticate_api_token(plaintext, now=t0 + dt.timedelta(seconds=30))
    row.refresh_from_db()
    assert row.last_used_at == t0
    later = t0 + dt.timedelta(seconds=61)
    authenticate_api_token(plaintext, now=later)
    row.refresh_from_db()
    assert row.last_used_at == later


# --- the account page ---------------------------------------------------------------------------


@pytest.fixture
def member_client() -> tuple[Client, object]:
    member = MemberFactory()
    client = Client()
    client.force_login(member.user)
    return client, member.user


def test_the_account_page_needs_a_login() -> None:
    response = Client().get("/account/")
    assert response.status_code == 302
    assert "/login/" in response["Location"]


def test_creating_a_token_shows_it_once(member_client: tuple[Client, object]) -> None:
    client, user = member_client
    response = client.post("/account/", {"name": "upload script"})
    assert response.status_code == 200
    assert "no-store" in response.get("Cache-Control", "")
    row = ApiToken.objects.get(user=user)
    plaintext = response.context["new_token"]
    assert plaintext.startswith(f"snt_{row.prefix}_")
    assert plaintext in response.content.decode()
    assert authenticate_api_token(plaintext) == user
    # Listed afterwards by name and prefix, never in full.
    again = client.get("/account/").content.decode()
    assert "upload script" in again
    assert f"snt_{row.prefix}_" in again
    assert plaintext not in again


def test_a_token_needs_a_name(member_client: tuple[Client, object]) -> None:
    client, user = member_client
    response = client.post("/account/", {"name": ""})
    assert response.status_code == 400
    assert not ApiToken.objects.filter(user=user).exists()


def test_the_page_lists_only_my_tokens(member_client: tuple[Client, object]) -> None:
    client, user = member_client
    create_api_token(user, "mine")
    create_api_token(UserFactory(), "someone else's")
    page = client.get("/account/").content.decode()
    assert "mine" in page
    assert "someone else&#x27;s" not in page and "someone else's" not in page


def test_revoking_from_the_page(member_client: tuple[Client, object]) -> None:
    client, user = member_client
    row, plaintext = create_api_token(user, "to revoke")
    response = client.post(f"/account/tokens/{row.pk}/revoke/")
    assert response.status_code == 302
    assert authenticate_api_token(plaintext) is None
    page = client.get("/account/").content.decode()
    assert "to revoke" in page  # revoked tokens stay listed, marked revoked
    assert f"/account/tokens/{row.pk}/revoke/" not in page


def test_revoking_another_members_token_is_a_404(member_client: tuple[Client, object]) -> None:
    client, _user = member_client
    row, plaintext = create_api_token(UserFactory(), "not yours")
    assert client.post(f"/account/tokens/{row.pk}/revoke/").status_code == 404
    assert authenticate_api_token(plaintext) is not None


def test_revoking_needs_a_post(member_client: tuple[Client, object]) -> None:
    client, user = member_client
    row, plaintext = create_api_token(user, "x")
    assert client.get(f"/account/tokens/{row.pk}/revoke/").status_code == 405
    assert authenticate_api_token(plaintext) is not None


def test_the_forms_are_csrf_protected() -> None:
    member = MemberFactory()
    client = Client(enforce_csrf_checks=True)
    client.force_login(member.user)
    assert client.post("/account/", {"name": "x"}).status_code == 403
    assert not ApiToken.objects.exists()
    row, plaintext = create_api_token(member.user, "y")
    assert client.post(f"/account/tokens/{row.pk}/revoke/").status_code == 403
    assert authenticate_api_token(plaintext) is not None


def test_the_navigation_links_to_the_account_page(member_client: tuple[Client, object]) -> None:
    client, _user = member_client
    page = client.get("/account/").content.decode()
    assert 'href="/account/"' in page


# --- Expiry, revocation on a password change (issue 10, 5) -------------------------------------


def test_a_token_with_an_expiry_stops_working_then() -> None:
    user = UserFactory()
    row, plaintext = create_api_token(user, "for a month", expires_in_days=30)
    assert row.expires_at is not None
    now = timezone.now()
    assert authenticate_api_token(plaintext, now=now + dt.timedelta(days=29)) == user
    assert authenticate_api_token(plaintext, now=now + dt.timedelta(days=31)) is None


def test_the_account_page_makes_an_expiring_key_and_lists_it(member_client: tuple[Client, object]) -> None:
    client, user = member_client
    response = client.post("/account/", {"name": "quarterly", "expires_in_days": "90"})
    assert response.status_code == 200
    row = ApiToken.objects.get(user=user)
    assert row.expires_at is not None
    assert dt.timedelta(days=89) < row.expires_at - timezone.now() <= dt.timedelta(days=90)
    assert client.post("/account/", {"name": "odd", "expires_in_days": "7"}).status_code == 400
    # Expired keys stay listed, marked expired.
    ApiToken.objects.filter(pk=row.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    row_html = client.get("/account/").content.decode().split("quarterly", 1)[1].split("</tr>", 1)[0]
    assert "expired" in row_html


def test_a_password_change_revokes_every_key() -> None:
    user = UserFactory()
    _a, first = create_api_token(user, "a")
    _b, second = create_api_token(user, "b", expires_in_days=30)
    _c, others = create_api_token(UserFactory(), "c")
    user.set_password("a-brand-new-passphrase-7")
    user.save()
    assert authenticate_api_token(first) is None
    assert authenticate_api_token(second) is None
    assert authenticate_api_token(others) is not None
    assert set(ApiToken.objects.filter(user=user).values_list("revoked_because", flat=True)) == {"password"}


def test_saving_a_user_without_a_new_password_revokes_nothing(settings) -> None:
    user = UserFactory()  # hashed with the tests' MD5
    _row, plaintext = create_api_token(user, "a")
    user.full_name = "Renamed"
    user.save()
    # A hash upgrade at login (check_password rehashes with the preferred hasher) is not a
    # password change either.
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.Argon2PasswordHasher",
        "django.contrib.auth.hashers.MD5PasswordHasher",
    ]
    old_hash = user.password
    assert user.check_password("correct-horse-battery-staple")
    user.refresh_from_db()
    assert user.password != old_hash and user.password.startswith("argon2")
    assert authenticate_api_token(plaintext) == user


def test_the_member_changes_their_password_on_the_site(member_client: tuple[Client, object]) -> None:
    client, user = member_client
    _row, plaintext = create_api_token(user, "script")
    assert 'href="/account/password/"' in client.get("/account/").content.decode()
    response = client.post(
        "/account/password/",
        {
            "old_password": "correct-horse-battery-staple",
            "new_password1": "a-brand-new-passphrase-7",
            "new_password2": "a-brand-new-passphrase-7",
        },
    )
    assert response.status_code == 302 and response["Location"] == "/account/password/done/"
    assert authenticate_api_token(plaintext) is None
    assert "password changed" in client.get("/account/").content.decode()


def test_staff_resetting_a_members_password_revoke_the_members_keys(admin_client) -> None:
    member = MemberFactory()
    _row, plaintext = create_api_token(member.user, "script")
    response = admin_client.post(
        f"/admin/members/user/{member.user.pk}/password/",
        {"password1": "a-brand-new-passphrase-7", "password2": "a-brand-new-passphrase-7"},
    )
    assert response.status_code == 302
    assert authenticate_api_token(plaintext) is None
