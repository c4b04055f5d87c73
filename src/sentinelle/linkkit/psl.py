"""Registrable domains from the Public Suffix List, private suffixes included.

The list is the one bundled with the ``publicsuffixlist`` package: no network access, and the
list changes only when the dependency is upgraded.
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache

from publicsuffixlist import PublicSuffixList

# only_icann=False keeps the private section, so x.blogspot.com and y.github.io are sites of
# their own rather than pages of blogspot.com / github.io.
_PSL = PublicSuffixList(only_icann=False)


@lru_cache(maxsize=65536)
def registrable_domain(host: str) -> str | None:
    """The registrable domain ("eTLD+1") of ``host``, or None when it has none.

    None for a public suffix itself (``com``, ``blogspot.com``), an empty or malformed name
    (leading dot, empty label). An IP address is its own site and is returned as is. Case is
    folded; IDN hosts may be given in Unicode or in punycode and keep that form.
    """
    if not host:
        return None
    if (host[0] == "[" or host[-1].isdigit()) and _is_ip(host):
        return host.lower()
    return _PSL.privatesuffix(host.lower())


def public_suffix(host: str) -> str | None:
    """The public suffix of ``host`` (``co.uk`` for ``a.b.co.uk``), or None."""
    return _PSL.publicsuffix(host.lower()) if host else None


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return True
