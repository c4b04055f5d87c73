"""Registrable domains from the Public Suffix List, private suffixes included.

The list is the one bundled with the ``publicsuffixlist`` package: no network access, and the
list changes only when the dependency is upgraded.

The package's own lookup joins and tests up to three candidate strings per label depth; here the
same rules are folded into one dict (suffix -> kind of rule, with every ancestor of a rule present
as a marker), so a lookup walks the host from its last label and stops at the first suffix no
rule extends: usually two or three dict probes. ``_count_public`` returns exactly what the
package's ``_countpublic`` returns (checked against it in tests/linkkit/test_psl.py).
"""

from __future__ import annotations

import ipaddress

from publicsuffixlist import PublicSuffixList

# only_icann=False keeps the private section, so x.blogspot.com and y.github.io are sites of
# their own rather than pages of blogspot.com / github.io.
PSL = PublicSuffixList(only_icann=False)

# Kinds of rule for one suffix, in the package's order of precedence (exception > wildcard >
# exact); _ANCESTOR marks a suffix that only leads to longer rules.
_ANCESTOR = 0
_EXACT = 1
_WILDCARD = 2
_EXCEPTION = 3


def _fold_rules(rules: frozenset[str]) -> dict[str, int]:
    table: dict[str, int] = {}
    for rule in rules:
        if rule.startswith("!"):
            key, kind = rule[1:], _EXCEPTION
        elif rule.startswith("*."):
            key, kind = rule[2:], _WILDCARD
        else:
            key, kind = rule, _EXACT
        if table.get(key, _ANCESTOR) < kind:
            table[key] = kind
        dot = key.find(".")
        while dot != -1:
            key = key[dot + 1 :]
            table.setdefault(key, _ANCESTOR)
            dot = key.find(".")
    return table


_RULES: dict[str, int] = _fold_rules(PSL._publicsuffix)


def _count_public(name: str) -> int:
    """How many trailing labels of ``name`` (lower case, no empty label) are the public suffix.

    Unknown top-level domains count as public suffixes (the package's ``accept_unknown``).
    """
    rules = _RULES
    kind = _ANCESTOR
    depth = found = 0
    end = len(name)
    dot = name.rfind(".")
    while True:
        depth += 1
        here = rules.get(name[dot + 1 :])
        if here is None:
            break
        if here:
            kind = here
            found = depth
        if dot == -1:
            break
        end = dot
        dot = name.rfind(".", 0, end)
    if kind == _EXACT:
        return found
    if kind == _WILDCARD:
        # "*.kobe.jp": one more label is public, unless the host is the wildcard's root itself.
        return found + 1 if name.count(".") + 1 > found else found
    if kind == _EXCEPTION:
        return found - 1
    return 1


def _private_suffix(name: str) -> str | None:
    """``privatesuffix`` of the package for a lower-case ``name`` (one trailing dot allowed)."""
    if name[-1:] == ".":
        name = name[:-1]
    if not name or name[0] == "." or name[-1] == "." or ".." in name:
        return None
    public = _count_public(name)
    if not public:
        return None
    # The last public + 1 labels.
    end = len(name)
    for _ in range(public + 1):
        end = name.rfind(".", 0, end)
        if end == -1:
            break
    else:
        return name[end + 1 :]
    # Fewer labels than the private suffix needs: name is public itself (or exactly one more).
    return name if name.count(".") + 1 >= public + 1 else None


def plain_site(name: str) -> str:
    """``_private_suffix(name) or name`` for a lower-case name of two labels or more, none empty.

    One walk from the last label: the dots seen by the Public Suffix List lookup are kept, so the
    registrable domain is sliced without a second walk (tests/linkkit/test_psl.py compares both).
    """
    rules = _RULES
    kind = _ANCESTOR
    depth = found = 0
    dots = []  # dots[i]: index of the dot before the (i + 1)-th label from the end, -1 for none
    dot = name.rfind(".")
    while True:
        depth += 1
        dots.append(dot)
        here = rules.get(name[dot + 1 :])
        if here is None:
            break
        if here:
            kind = here
            found = depth
        if dot == -1:
            break
        dot = name.rfind(".", 0, dot)
    if kind == _EXACT:
        public = found
    elif kind == _WILDCARD:
        # More labels than the wildcard's root: the walk stopped before the first label, or at it
        # with fewer rule labels than it walked.
        public = found + 1 if dot != -1 or depth > found else found
    elif kind == _EXCEPTION:
        public = found - 1
    else:
        public = 1
    if not public:
        return name
    if public < depth:
        return name[dots[public] + 1 :]
    # The site needs labels the walk did not reach.
    for _ in range(public - depth + 1):
        if dot == -1:
            return name  # fewer labels than public + 1: the name is public itself
        dot = name.rfind(".", 0, dot)
    return name[dot + 1 :]


# host -> registrable domain. A plain dict of strings, which the cyclic garbage collector never
# tracks (an lru_cache's linked entries made every full collection of a batch walk them all).
_SITES: dict[str, str | None] = {}
_SITES_MAX = 65536


def registrable_domain(host: str) -> str | None:
    """The registrable domain ("eTLD+1") of ``host``, or None when it has none.

    None for a public suffix itself (``com``, ``blogspot.com``), an empty or malformed name
    (leading dot, empty label). An IP address is its own site and is returned as is. Case is
    folded; IDN hosts may be given in Unicode or in punycode and keep that form.
    """
    if host in _SITES:  # None is a cached answer too
        return _SITES[host]
    if not host:
        return None
    found: str | None = host.lower()
    if not ((host[0] == "[" or host[-1].isdigit()) and _is_ip(host)):
        found = _private_suffix(host.lower())
    if len(_SITES) >= _SITES_MAX:
        _SITES.clear()
    _SITES[host] = found
    return found


def public_suffix(host: str) -> str | None:
    """The public suffix of ``host`` (``co.uk`` for ``a.b.co.uk``), or None."""
    return PSL.publicsuffix(host.lower()) if host else None


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return True
