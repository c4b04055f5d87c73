"""The staff's work queue (thin: reads in selectors.py, writes through the services)."""

from __future__ import annotations

import io
import zipfile
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from sentinelle.desk import selectors
from sentinelle.desk.access import can_act, staff_only
from sentinelle.desk.forms import ContactForm, MarkSentForm
from sentinelle.notices import services as notices
from sentinelle.notices.export import BulkFileIncomplete, bulk_file_text
from sentinelle.notices.legal import reference
from sentinelle.notices.models import Notice
from sentinelle.notices.services.held import HELD_FOR_CONTACT
from sentinelle.recipients.models import ContactOverride
from sentinelle.recipients.services import save_override


@require_GET
@staff_only
def queue(request: HttpRequest) -> HttpResponse:
    held = selectors.held_groups()
    forms = {g.domain: ContactForm(initial={"domain": g.domain}, auto_id=f"id_%s_{n}") for n, g in enumerate(held)}
    context = {
        "counts": selectors.counts(),
        "held": [(g, forms.get(g.domain)) for g in held],
        "hand": selectors.hand_deliveries()[:200],
        "bulk": _bulk_by_recipient(),
        "overdue": selectors.answers_overdue()[:200],
        "unverifiable": selectors.unverifiable(),
        "resent_unknown": selectors.resent_after_unknown_outcome(),
        "can_act": can_act(request.user),
        "contact_codes": selectors.CONTACT_CODES,
    }
    return render(request, "desk/queue.html", context)


def _bulk_by_recipient() -> list[dict[str, object]]:
    groups: dict[int | None, dict[str, object]] = {}
    for notice in selectors.bulk_files():
        group = groups.setdefault(
            notice.recipient_platform_id,
            {"platform_id": notice.recipient_platform_id, "name": notice.recipient_name, "notices": []},
        )
        group["notices"].append(notice)  # type: ignore[attr-defined]
    return list(groups.values())


@require_POST
@staff_only
def give_contact(request: HttpRequest) -> HttpResponse:
    if not can_act(request.user):
        raise Http404("Not found")
    form = ContactForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("The contact was not saved: %(errors)s") % {"errors": _errors(form.errors)})
        return redirect("desk:queue")
    data = form.cleaned_data
    held = Notice.objects.filter(HELD_FOR_CONTACT)
    before = held.count()
    override = ContactOverride(
        registrable_domain=data["domain"],
        role=data["role"],
        kind=data["kind"],
        address=data["address"],
        note=data["note"],
    )
    try:
        save_override(override, request.user)
    except ValidationError as exc:
        messages.error(request, _("The contact was not saved: %(errors)s") % {"errors": "; ".join(exc.messages)})
        return redirect("desk:queue")
    # save_override announces the contact once committed (recipients.signals), which releases the held
    # notices; inside an outer transaction that waits for its end, so release now (idempotent) and count.
    notices.release_held([override.registrable_domain], actor=request.user, why="staff")  # type: ignore[arg-type]
    released = before - held.count()
    messages.success(
        request,
        _("Contact saved for %(domain)s: %(n)d held notice(s) released; their links are being built again.")
        % {"domain": override.registrable_domain, "n": released},
    )
    return redirect("desk:queue")


def _errors(errors: Any) -> str:
    return "; ".join(f"{name}: {' '.join(str(e) for e in errs)}" for name, errs in errors.items())


@require_POST
@staff_only
def mark_sent(request: HttpRequest, notice_id: int) -> HttpResponse:
    if not can_act(request.user):
        raise Http404("Not found")
    notice = Notice.objects.filter(pk=notice_id).first()
    if notice is None:
        raise Http404("No such notice")
    form = MarkSentForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    if notices.record_manual_delivery(notice, request.user, note):  # type: ignore[arg-type]
        messages.success(request, _("Notice #%(id)s recorded as sent by you.") % {"id": notice.pk})
    else:
        messages.error(
            request, _("Notice #%(id)s is not waiting for a hand delivery: nothing recorded.") % {"id": notice.pk}
        )
    return redirect("desk:queue")


@require_GET
@staff_only
def bulk_download(request: HttpRequest, platform_id: int) -> HttpResponse:
    queued = list(selectors.bulk_files().filter(recipient_platform_id=platform_id))
    if not queued:
        raise Http404("No bulk file waits for this search engine")
    try:
        files = [(f"notice-{n.pk}-{reference(n)}.txt", bulk_file_text(n)) for n in queued]
    except BulkFileIncomplete as exc:
        messages.error(
            request,
            _(
                "Google's bulk file needs an authorised example URL for every work; add one in the catalogue "
                "for: %(works)s"
            )
            % {"works": ", ".join(exc.titles)},
        )
        return redirect("desk:queue")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in files:
            archive.writestr(name, text)
    response = HttpResponse(buffer.getvalue(), content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="bulk-{platform_id}.zip"'
    return response


@require_GET
@staff_only
def coverage(request: HttpRequest) -> HttpResponse:
    try:
        days = max(1, min(365, int(request.GET.get("days", "30"))))
    except ValueError:
        days = 30
    return render(request, "desk/coverage.html", {"report": selectors.registry_coverage(days)})
