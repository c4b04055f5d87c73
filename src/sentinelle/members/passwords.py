"""Password reset by e-mail: Django's views and tokens, our limits, the member's language.

Whether the address belongs to an account or not, the visitor sees the same page: Django's
reset view redirects to "done" either way, and a request over the per-address limit is dropped
silently (the per-client limit answers 429, and it counts every request, known address or not).
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.forms import PasswordResetForm
from django.core.cache import cache
from django.utils import translation

from sentinelle import conf
from sentinelle.members.services import user_language

WINDOW_SECONDS = 3600


def _spend(key: str) -> bool:
    """Count one request against ``key`` this hour; False once the hour's allowance is spent."""
    limit = conf.password_reset_limit()
    if limit <= 0:
        return True
    cache_key = f"sentinelle:password-reset:{key}"
    # add() does nothing when the key exists: concurrent first requests do not reset each other.
    cache.add(cache_key, 0, timeout=WINDOW_SECONDS)
    try:
        count = cache.incr(cache_key)
    except ValueError:  # expired between add() and incr()
        cache.set(cache_key, 1, timeout=WINDOW_SECONDS)
        count = 1
    return count <= limit


def client_may_ask(client_address: str) -> bool:
    return _spend(f"client:{client_address}")


def address_may_receive(email: str) -> bool:
    return _spend(f"address:{email.strip().lower()}")


class ResetForm(PasswordResetForm):
    """Django's form; the e-mail is written in the account's language and sent within the limit."""

    def save(self, *args: Any, **kwargs: Any) -> None:
        if address_may_receive(self.cleaned_data["email"]):
            super().save(*args, **kwargs)

    def send_mail(self, *args: Any, **kwargs: Any) -> None:
        context = args[2] if len(args) > 2 else kwargs["context"]
        with translation.override(user_language(context["user"])):
            super().send_mail(*args, **kwargs)
