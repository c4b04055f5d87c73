from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import translation
from django.views.decorators.http import require_GET, require_http_methods

from sentinelle import conf
from sentinelle.catalogue.models import Work
from sentinelle.catalogue.selectors import get_member_work, works_of_member
from sentinelle.core.dates import zone_city
from sentinelle.members.models import Member
from sentinelle.members.selectors import member_for_user
from sentinelle.notices import selectors as notice_selectors
from sentinelle.takedowns import export, selectors, services
from sentinelle.takedowns.forms import HistoryFilterForm, ReportLinksForm
from sentinelle.takedowns.models import ReportedLink
from sentinelle.takedowns.quota import daily_limit, quota_resets_at


def _member_or_404(request: HttpRequest) -> Member:
    member = member_for_user(request.user)
    if member is None:
        raise Http404("No member profile")
    return member


@require_http_methods(["GET", "POST"])
@login_required
def report_links(request: HttpRequest, work_id: int) -> HttpResponse:
    member = _member_or_404(request)
    try:
        work = get_member_work(member, work_id)
    except Work.DoesNotExist:
        raise Http404("No such work in your catalogue") from None
    result = None
    error = None
    status = 200
    form = ReportLinksForm(request.POST or None)
    if request.method == "POST" and not form.is_valid():
        status = 400
    elif request.method == "POST":
        try:
            result = services.submit_links(
                member,
                work.pk,
                form.cleaned_data["links"],
                form.actions(),
                actor=request.user,  # type: ignore[arg-type]
            )
        except services.IntakeError as exc:
            error = exc.message
            status = 400
        else:
            form = ReportLinksForm(initial={"action": form.cleaned_data["action"]})
    return render(
        request,
        "takedowns/report.html",
        {
            "work": work,
            "form": form,
            "result": result,
            "error": error,
            "quota_limit": daily_limit(member),
            "quota_remaining": selectors.quota_remaining(member),
            "quota_resets_at": quota_resets_at(),
            "quota_city": zone_city(),
        },
        status=status,
    )


def _history_filter(request: HttpRequest, member: Member) -> tuple[HistoryFilterForm, selectors.HistoryFilter]:
    works = [(w.pk, w.label) for w in works_of_member(member)]
    form = HistoryFilterForm(request.GET or None, works=works)
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        flt = selectors.HistoryFilter(
            work_id=data["work"],
            status=data["status"],
            outcome=data["outcome"],
            platform=data["platform"],
            date_from=data["date_from"],
            date_to=data["date_to"],
        )
    else:
        flt = selectors.HistoryFilter()
    return form, flt


def _cursor(request: HttpRequest) -> selectors.Cursor | None:
    token = request.GET.get("cursor", "")
    try:
        return selectors.Cursor.decode(token) if token else None
    except selectors.BadCursor:
        return None  # a mangled address: the first page rather than an error


@require_GET
@login_required
def history(request: HttpRequest) -> HttpResponse:
    member = _member_or_404(request)
    form, flt = _history_filter(request, member)
    page = selectors.history_page(member, flt, _cursor(request), conf.page_size())
    query = request.GET.copy()
    query.pop("cursor", None)
    return render(request, "takedowns/history.html", {"form": form, "page": page, "query": query.urlencode()})


@require_GET
@login_required
def history_csv(request: HttpRequest) -> StreamingHttpResponse:
    member = _member_or_404(request)
    _form, flt = _history_filter(request, member)
    links = selectors.history_for_export(member, flt)
    response = StreamingHttpResponse(
        export.history_csv(links, translation.get_language()), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = 'attachment; filename="sentinelle-history.csv"'
    return response


@require_GET
@login_required
def link_detail(request: HttpRequest, link_id: int) -> HttpResponse:
    member = _member_or_404(request)
    try:
        link = selectors.get_member_link(member, link_id)
    except ReportedLink.DoesNotExist:
        raise Http404("No such link in your history") from None
    notices = [{**vars(n), "label": notice_selectors.state_label(n.state)} for n in notice_selectors.link_notices(link)]
    return render(
        request, "takedowns/link.html", {"link": link, "events": selectors.link_timeline(link), "notices": notices}
    )
