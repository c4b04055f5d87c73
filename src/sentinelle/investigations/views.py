"""The investigators' pages (thin: parse, call one service or selector, render). 404 for anyone else."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any, cast

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBase, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from sentinelle.core import charts
from sentinelle.investigations import selectors, storage
from sentinelle.investigations.access import investigators_only
from sentinelle.investigations.errors import InvestigationError
from sentinelle.investigations.forms import (
    AddDomainForm,
    CaptureForm,
    DamageForm,
    DossierForm,
    OpenDossierForm,
    RankingFilterForm,
    ReasonForm,
    TransferForm,
)
from sentinelle.investigations.models import Evidence, MirrorSuggestion, Site
from sentinelle.investigations.services import custody, damages, dossiers, evidence
from sentinelle.investigations.services import export as exporting
from sentinelle.members.models import User

TOP_IN_CHART = 10
LINES_IN_CHART = 5


def _actor(request: HttpRequest) -> User:
    """The acting account (``investigators_only`` has checked it is an investigator or staff)."""
    return cast(User, request.user)


def _site(site_id: int) -> Site:
    try:
        return selectors.get_dossier(site_id)
    except Site.DoesNotExist:
        raise Http404("No such dossier") from None


def _evidence(site: Site, evidence_id: int) -> Evidence:
    try:
        return selectors.get_evidence(site, evidence_id)
    except Evidence.DoesNotExist:
        raise Http404("No such evidence") from None


@require_GET
@investigators_only
def sites(request: HttpRequest) -> HttpResponse:
    form = RankingFilterForm(request.GET or None)
    period, kind = form.values()
    flt = selectors.RankingFilter(period=period, kind=kind)
    rows = selectors.site_ranking(flt)
    top = rows[:TOP_IN_CHART]
    bar = charts.bar_chart(
        _("Reported links per site"),
        [row.domain for row in top],
        [row.links for row in top],
        description=_("The %(n)s sites with the most reported links in the period.") % {"n": len(top)},
    )
    months, per_domain = selectors.monthly_links(flt, [row.domain for row in rows[:LINES_IN_CHART]])
    line = charts.line_chart(
        _("Reported links per month"),
        months,
        [charts.Series(domain, values) for domain, values in per_domain.items()],
        description=_("Links reported each month on the five sites with the most links."),
    )
    return render(
        request,
        "investigations/sites.html",
        {"form": form, "rows": rows, "bar": bar, "line": line, "open_form": OpenDossierForm()},
    )


@require_GET
@investigators_only
def dossier_list(request: HttpRequest) -> HttpResponse:
    page = Paginator(selectors.dossiers(), 50).get_page(request.GET.get("page"))
    return render(request, "investigations/dossiers.html", {"page": page, "open_form": OpenDossierForm()})


@require_POST
@investigators_only
def open_dossier(request: HttpRequest) -> HttpResponse:
    form = OpenDossierForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give at least one domain."))
        return redirect("investigations:sites")
    try:
        site = dossiers.open_dossier(form.domain_list(), actor=_actor(request), name=form.cleaned_data["name"])
    except InvestigationError as exc:
        messages.error(request, exc.message)
        return redirect("investigations:sites")
    return redirect("investigations:dossier", site.pk)


def _dossier_context(site: Site) -> dict[str, Any]:
    links = selectors.links_of_dossier(site)
    captures = list(selectors.evidence_of_dossier(site))
    return {
        "site": site,
        "domains": site.domains.order_by("added_at", "id"),
        "discovery": selectors.recipient_discovery(site),
        "suggestions": selectors.suggestions_of_dossier(site),
        "links": links[:50],
        "link_count": links.count(),
        "notices": selectors.notices_of_dossier(site)[:50],
        "checks": selectors.checks_of_dossier(site)[:50],
        "captures": captures,
        "pending": any(e.is_pending for e in captures),
        "custody": selectors.custody_of_dossier(site),
        "chain_problems": custody.verify_site_chain(site),
        "assessment": selectors.latest_assessment(site),
        "dossier_form": DossierForm(
            initial={"name": site.name, "status": site.status, "operator_notes": site.operator_notes}
        ),
        "domain_form": AddDomainForm(),
        "capture_form": CaptureForm(),
        "export_form": ReasonForm(),
        "transfer_form": TransferForm(),
    }


@require_GET
@investigators_only
def dossier(request: HttpRequest, site_id: int) -> HttpResponse:
    site = _site(site_id)
    # Discovery's network findings arrive on their own schedule: suggestions are looked for again
    # each time the dossier is shown (a few queries; a decided domain never comes back).
    dossiers.refresh_mirror_suggestions(site)
    return render(request, "investigations/dossier.html", _dossier_context(site))


@require_POST
@investigators_only
def edit_dossier(request: HttpRequest, site_id: int) -> HttpResponse:
    site = _site(site_id)
    form = DossierForm(request.POST)
    if form.is_valid():
        try:
            dossiers.update_dossier(site, **form.cleaned_data)
            messages.success(request, _("Dossier saved."))
        except InvestigationError as exc:
            messages.error(request, exc.message)
    else:
        messages.error(request, _("Check the dossier's name and status."))
    return redirect("investigations:dossier", site.pk)


@require_POST
@investigators_only
def add_domain(request: HttpRequest, site_id: int) -> HttpResponse:
    site = _site(site_id)
    form = AddDomainForm(request.POST)
    if form.is_valid():
        try:
            dossiers.add_domain(
                site, form.cleaned_data["domain"], relation=form.cleaned_data["relation"], actor=_actor(request)
            )
        except InvestigationError as exc:
            messages.error(request, exc.message)
    else:
        messages.error(request, _("Give a domain name."))
    return redirect("investigations:dossier", site.pk)


@require_POST
@investigators_only
def decide_suggestion(request: HttpRequest, site_id: int, suggestion_id: int) -> HttpResponse:
    site = _site(site_id)
    try:
        suggestion = MirrorSuggestion.objects.get(pk=suggestion_id, site=site)
    except MirrorSuggestion.DoesNotExist:
        raise Http404("No such suggestion") from None
    try:
        dossiers.decide_suggestion(suggestion, accept=request.POST.get("decision") == "accept", actor=_actor(request))
    except InvestigationError as exc:
        messages.error(request, exc.message)
    return redirect("investigations:dossier", site.pk)


@require_POST
@investigators_only
def capture(request: HttpRequest, site_id: int) -> HttpResponse:
    site = _site(site_id)
    form = CaptureForm(request.POST)
    if not form.is_valid():
        messages.error(
            request, " ".join(str(e) for e in form.errors.get("urls", [])) or _("Give at least one address.")
        )
        return redirect("investigations:dossier", site.pk)
    try:
        rows = evidence.request_captures(site, form.cleaned_data["urls"], actor=_actor(request))
    except InvestigationError as exc:
        messages.error(request, exc.message)
    else:
        evidence.enqueue_captures(rows)
        messages.success(request, _("%(n)s capture(s) queued.") % {"n": len(rows)})
    return redirect("investigations:dossier", site.pk)


@require_GET
@investigators_only
def evidence_detail(request: HttpRequest, site_id: int, evidence_id: int) -> HttpResponse:
    site = _site(site_id)
    row = _evidence(site, evidence_id)
    if not row.is_pending:
        evidence.record_view(row, actor=_actor(request))
    return render(
        request,
        "investigations/evidence.html",
        {
            "site": site,
            "evidence": row,
            "files": row.files.all(),
            "altered": evidence.check_stored_files(row),
            "download_form": ReasonForm(),
        },
    )


@require_POST
@investigators_only
def download_file(request: HttpRequest, site_id: int, evidence_id: int, file_id: int) -> HttpResponseBase:
    site = _site(site_id)
    row = _evidence(site, evidence_id)
    file = row.files.filter(pk=file_id).first()
    if file is None:
        raise Http404("No such file")
    form = ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say why you download this file."))
        return redirect("investigations:evidence", site.pk, row.pk)
    evidence.record_download(row, file, actor=_actor(request), reason=form.cleaned_data["reason"])
    response = StreamingHttpResponse(storage.open_stored(file.sha256), content_type=file.media_type)
    response["Content-Disposition"] = f'attachment; filename="evidence-{row.pk}-{file.name}"'
    response["X-Content-SHA256"] = file.sha256
    return response


@require_http_methods(["GET", "POST"])
@investigators_only
def damage(request: HttpRequest, site_id: int) -> HttpResponse:
    site = _site(site_id)
    form = DamageForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                damages.assess(site, form.inputs(), actor=_actor(request))
            except InvestigationError as exc:
                form.add_error(None, exc.message)
            else:
                return redirect("investigations:dossier", site.pk)
        status = 400
    assessment = selectors.latest_assessment(site)
    estimate = damages.recompute(assessment) if assessment else None
    return render(
        request,
        "investigations/damages.html",
        {"site": site, "form": form, "assessment": assessment, "estimate": estimate},
        status=status,
    )


@require_POST
@investigators_only
def export(request: HttpRequest, site_id: int) -> HttpResponseBase:
    site = _site(site_id)
    form = ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say why, and for whom, the dossier is exported."))
        return redirect("investigations:dossier", site.pk)
    folder = Path(tempfile.mkdtemp(prefix="sentinelle-export-"))
    out = folder / f"dossier-{site.pk}.zip"
    try:
        exporting.export_dossier(site, out, actor=_actor(request), reason=form.cleaned_data["reason"])
    except InvestigationError as exc:
        folder.rmdir()
        messages.error(request, exc.message)
        return redirect("investigations:dossier", site.pk)
    handle = out.open("rb")
    # The open handle keeps the file readable; its name is gone at once.
    os.unlink(out)
    folder.rmdir()
    return FileResponse(handle, as_attachment=True, filename=f"dossier-{site.pk}.zip", content_type="application/zip")


@require_POST
@investigators_only
def transfer(request: HttpRequest, site_id: int) -> HttpResponse:
    site = _site(site_id)
    form = TransferForm(request.POST)
    if form.is_valid():
        evidence.record_transfer(site, actor=_actor(request), **form.cleaned_data)
        messages.success(request, _("The hand-over is in the chain of custody."))
    else:
        messages.error(request, _("Say to whom and why the evidence is handed over."))
    return redirect("investigations:dossier", site.pk)
