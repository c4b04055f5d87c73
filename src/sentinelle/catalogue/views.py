from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from sentinelle.catalogue import selectors
from sentinelle.members.selectors import member_for_user


@require_GET
@login_required
def my_works(request: HttpRequest) -> HttpResponse:
    member = member_for_user(request.user)
    query = request.GET.get("q", "")
    page = None
    if member is not None:
        page = selectors.member_work_page(member, query, request.GET.get("page"), settings.SENTINELLE_PAGE_SIZE)
    return render(request, "catalogue/my_works.html", {"member": member, "page": page, "query": query})
