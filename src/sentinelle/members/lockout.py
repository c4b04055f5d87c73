"""Login lockout (django-axes): one count per account whatever the case, and one per address.

Two limits, both within ``SENTINELLE_LOGIN_COOLOFF_MINUTES``:

- per account and address (``SENTINELLE_LOGIN_FAILURE_LIMIT``): the e-mail is lowered before
  django-axes counts it, because the login matches it case-insensitively — otherwise every case
  variant of an address would get its own attempts;
- per address across accounts (``SENTINELLE_LOGIN_ADDRESS_FAILURE_LIMIT``): password spraying,
  one or two guesses on each of many accounts, locks the address out.

The client's address is the peer's, or the one ``SENTINELLE_TRUSTED_PROXY_COUNT`` proxies in front
of the service saw (settings.py passes it to django-axes).
"""

from __future__ import annotations

from typing import Any

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_failure_limit
from django.conf import settings
from django.db.models import QuerySet, Sum
from django.http import HttpRequest

from sentinelle import conf

# settings.AXES_LOCKOUT_PARAMETERS lists them in this order: [username, ip_address], [ip_address].
PER_ACCOUNT, PER_ADDRESS = 0, 1


def login_username(request: HttpRequest, credentials: dict[str, Any] | None) -> str | None:
    """The account a login attempt is for, as django-axes counts it: the e-mail, lowered."""
    field = settings.AXES_USERNAME_FORM_FIELD
    raw = (credentials or {}).get(field) if credentials else request.POST.get(field)
    return str(raw).strip().lower() if raw else None


def _failures(attempts: QuerySet[Any]) -> int:
    return int(attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0)


class LoginLockoutHandler(AxesDatabaseHandler):
    def get_failures(self, request: HttpRequest, credentials: dict[str, Any] | None = None) -> int:
        attempts = self.get_user_attempts(request, credentials)
        per_account = _failures(attempts[PER_ACCOUNT])
        address_limit = conf.login_address_failure_limit()
        if address_limit and _failures(attempts[PER_ADDRESS]) >= address_limit:
            # django-axes compares one count with one limit: an address over its own limit
            # counts as an account over its limit.
            return max(per_account, int(get_failure_limit(request, credentials)))
        return per_account

    def reset_user_attempts(self, request: HttpRequest, credentials: dict[str, Any] | None = None) -> int:
        # A successful login clears that account's failures, never the address's: one account the
        # attacker owns must not reset the count of a spraying run.
        count, _ = self.filter_user_attempts(request, credentials)[PER_ACCOUNT].delete()
        return int(count)
