"""Every page of the site, from one place, for the browser tests (overflow, accessibility).

The list is read from the URL configuration itself, so a page added by anyone is visited without
editing this file; a route with a parameter this module does not know fails the tests with the
name of the parameter to add to ``World.params``. The API (its own docs page aside), the i18n and
health routes are not pages; the back office is listed from the admin site's registry.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from django.contrib import admin
from django.contrib.auth.tokens import default_token_generator
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from sentinelle.investigations.models import Evidence, Site
from sentinelle.investigations.services.dossiers import open_dossier
from sentinelle.investigations.services.evidence import request_captures
from sentinelle.members.models import INVESTIGATOR_GROUP, STAFF_GROUP, Member, User
from sentinelle.members.services import create_api_token, grant_role
from sentinelle.notices.models import Notice
from sentinelle.notices.services import build_notices
from sentinelle.platforms.models import Platform
from sentinelle.takedowns.models import ReportedLink
from sentinelle.takedowns.services import submit_links
from tests.factories import InterestFactory, WorkFactory

# Not pages a person reads: machine endpoints and POST-only forms' targets are skipped by name.
NOT_PAGES = {
    "healthz",
    "logout",
    "set_language",
    "investigations:suggestion",  # a POST target (accept or reject a mirror)
    "investigations:download",  # an evidence file, not a page
    "desk:bulk",  # a platform's bulk file, a download
    "stats:dsa-download",  # the DSA report as a file
    "stats:society-export",  # a dashboard table as CSV or JSON
}
NOT_PAGE_NAMESPACES = {"api-v1", "admin"}


@dataclass
class World:
    """A member with works, links and a key, who is also staff and investigator: one login sees every page."""

    user: User
    member: Member
    link: ReportedLink
    site: Site
    evidence: Evidence
    params: dict[str, object] = field(default_factory=dict)


def build_world() -> World:
    interest = InterestFactory(
        work__title="Les Feuilles mortes", member__user__email="every-page@example.org", member__name="Anna Page"
    )
    member = interest.member
    # Two works of one title (told apart by their ISWC) and a long one, for the narrow layouts.
    InterestFactory(member=member, work=WorkFactory(title="Les Feuilles mortes"))
    InterestFactory(member=member, work__title="Une chanson au titre très long qui ne tient pas sur une ligne " * 2)
    user = member.user
    user.is_staff = user.is_superuser = True
    user.save()
    grant_role(user, STAFF_GROUP)
    grant_role(user, INVESTIGATOR_GROUP)
    text = "\n".join(
        [
            "https://pirate-one.example.net/album/les-feuilles-mortes-integrale-flac-24bit-edition-deluxe.mp3",
            "https://mega.nz/file/AbC123#secret",
            "https://www.youtube.com/watch?v=abcdefghijk",
        ]
    )
    result = submit_links(member, interest.work_id, text, ["remove"], actor=user)
    link = ReportedLink.objects.get(pk=result.accepted[0].link_ids[0])
    build_notices()  # the back office's notice pages have a row to show
    create_api_token(user, "A key with a rather long name for the narrow screen")
    site = open_dossier(["pirate-one.example.net"], actor=user, name="Pirate One")
    evidence = request_captures(site, ["https://pirate-one.example.net/album/"], actor=user)[0]
    world = World(user=user, member=member, link=link, site=site, evidence=evidence)
    world.params = {
        "work_id": interest.work_id,
        "link_id": link.pk,
        "site_id": site.pk,
        "evidence_id": evidence.pk,
        "token_id": user.api_tokens.get().pk,
        "notice_id": Notice.objects.order_by("pk").values_list("pk", flat=True).first() or 0,
        "platform_id": link.platform_id or Platform.objects.order_by("pk").values_list("pk", flat=True).first() or 0,
        # The password-reset link of the e-mail (the page asks for the new password).
        "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
        "token": default_token_generator.make_token(user),
    }
    return world


def session_cookie(user: User, base_url: str) -> dict[str, str]:
    """The browser's session cookie for ``user`` (a login without going through the form)."""
    from django.conf import settings

    client = Client()
    client.force_login(user)
    return {
        "name": settings.SESSION_COOKIE_NAME,
        "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
        "url": base_url,
    }


def _walk(patterns: list[URLPattern | URLResolver], namespace: str = "") -> Iterator[tuple[str, URLPattern]]:
    for entry in patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _walk(entry.url_patterns, inner)
        elif entry.name:
            yield f"{namespace}{entry.name}", entry


class UnknownParameter(LookupError):
    pass


def site_pages(world: World) -> list[str]:
    """The path of every named page outside the API and the back office, parameters filled in."""
    paths: list[str] = []
    for name, pattern in _walk(get_resolver().url_patterns):
        if name in NOT_PAGES or name.split(":")[0] in NOT_PAGE_NAMESPACES:
            continue
        wanted = list(pattern.pattern.regex.groupindex)
        missing = [p for p in wanted if p not in world.params]
        if missing:
            raise UnknownParameter(
                f"route {name!r} takes {missing}: give them a value in tests/e2e/pages.py (World.params)"
            )
        paths.append(reverse(name, kwargs={p: world.params[p] for p in wanted}))
    return sorted({*paths, api_docs_page()})


def html_pages(world: World, paths: list[str]) -> list[str]:
    """The paths that answer a GET with an HTML page (not a POST-only target, not a download)."""
    client = Client()
    client.force_login(world.user)
    kept = []
    for path in paths:
        response = client.get(path, follow=True)
        if response.status_code != 405 and "text/html" in response.get("Content-Type", ""):
            kept.append(path)
    return kept


def api_docs_page() -> str:
    return reverse("api-v1:openapi-view")


def staff_pages(world: World) -> list[str]:
    """The back office: its index, and each registered model's list and, when a row exists, a row's form."""
    paths = [reverse("admin:index")]
    for model in admin.site._registry:
        meta = model._meta
        paths.append(reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist"))
        # An unmanaged admin entry (django-rq's dashboard) has no table to take a row from.
        row = model._default_manager.order_by("pk").first() if meta.managed else None
        if row is not None:
            paths.append(reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[row.pk]))
    return paths
