"""Reads of the catalogue. A member only ever sees works they hold an interest in."""

from __future__ import annotations

from django.core.paginator import Page, Paginator
from django.db.models import Q, QuerySet

from sentinelle.catalogue.identifiers import IdentifierError, normalise_iswc
from sentinelle.catalogue.models import Work
from sentinelle.members.models import Member


def works_of_member(member: Member) -> QuerySet[Work]:
    return Work.objects.filter(interests__member=member).distinct().order_by("title", "id")


def search_member_works(member: Member, query: str = "") -> QuerySet[Work]:
    works = works_of_member(member)
    query = (query or "").strip()[:200]
    if not query:
        return works
    condition = Q(title__icontains=query) | Q(alternate_titles__title__icontains=query)
    try:
        condition |= Q(iswc=normalise_iswc(query))
    except IdentifierError:
        # A partial ISWC ("034.524") still finds the work by its digits.
        digits = "".join(ch for ch in query if ch.isdigit())
        if len(digits) >= 3:
            condition |= Q(iswc__contains=digits)
    return works.filter(condition).distinct()


def member_work_page(member: Member, query: str, page_number: str | int | None, per_page: int) -> Page[Work]:
    works = search_member_works(member, query).prefetch_related("alternate_titles")
    return Paginator(works, per_page).get_page(page_number)


def get_member_work(member: Member, work_id: int) -> Work:
    """The work, if the member holds an interest in it; else Work.DoesNotExist (a 404)."""
    return works_of_member(member).get(pk=work_id)
