"""Password reset by e-mail: Django's views and tokens, our limits, the member's language.

Whether the address belongs to an account or not, the visitor sees the same page: Django's
reset view redirects to "done" either way, and a request over the per-address limit is dropped
silently (the per-client limit answers 429, and it counts every request, known address or not).
The page does not even take longer for a known address: the view only queues the request
(``send_reset`` runs in a task worker), so neither the account lookup nor the SMTP hand-over
shows in its response time.
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


EMAIL_TEMPLATE = "registration/password_reset_email.txt"
SUBJECT_TEMPLATE = "registration/password_reset_subject.txt"


class ResetForm(PasswordResetForm):
    """Django's form; the request is queued within the limit, the mail is in the account's language."""

    def save(self, *args: Any, **kwargs: Any) -> None:
        """Queue the reset (the same work for any address); the task worker looks the account up."""
        from sentinelle.members import tasks  # inside: tasks import this module

        if not address_may_receive(self.cleaned_data["email"]):
            return
        request = kwargs["request"]
        tasks.send_password_reset.enqueue(self.cleaned_data["email"], request.get_host(), request.is_secure())

    def send_mail(self, *args: Any, **kwargs: Any) -> None:
        context = args[2] if len(args) > 2 else kwargs["context"]
        with translation.override(user_language(context["user"])):
            super().send_mail(*args, **kwargs)


def send_reset(email: str, *, domain: str, use_https: bool) -> None:
    """Mail a reset link to every active account of ``email`` (none: nothing is sent).

    ``domain`` is the host the visitor used (validated by ``ALLOWED_HOSTS`` before the request was
    queued), so the link leads back to the site they asked from.
    """
    form = ResetForm(data={"email": email})
    if not form.is_valid():
        return
    PasswordResetForm.save(
        form,
        domain_override=domain,
        use_https=use_https,
        email_template_name=EMAIL_TEMPLATE,
        subject_template_name=SUBJECT_TEMPLATE,
        # A template context: django-stubs types its values as str, Django takes any object.
        extra_email_context={"society": conf.society()},  # type: ignore[dict-item]
    )
