from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from sentinelle import conf
from sentinelle.catalogue import selectors
from sentinelle.members.selectors import member_for_user
from sentinelle.takedowns.selectors import open_link_counts


@require_GET
@login_required
def my_works(request: HttpRequest) -> HttpResponse:
    member = member_for_user(request.user)
    query = request.GET.get("q", "")
    page = None
    rows: list[tuple[object, int]] = []
    if member is not None:
        page = selectors.member_work_page(
            member, query, conf.page_size(), after=request.GET.get("after"), before=request.GET.get("before")
        )
        works = list(page.object_list)
        open_counts = open_link_counts(member, works)
        rows = [(work, open_counts.get(work.pk, 0)) for work in works]
    context = {"member": member, "page": page, "rows": rows, "query": query}
    return render(request, "catalogue/my_works.html", context)
