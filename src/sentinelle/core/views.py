from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_GET

from sentinelle.desk.access import can_act, is_desk_staff
from sentinelle.investigations.access import can_investigate
from sentinelle.members.selectors import member_for_user


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """Members land on their catalogue; staff without a member profile on the work queue, investigators on
    investigations."""
    if is_desk_staff(request.user) and can_act(request.user) and member_for_user(request.user) is None:
        return redirect("desk:queue")
    if can_investigate(request.user) and member_for_user(request.user) is None:
        return redirect("investigations:sites")
    return redirect("catalogue:my-works")


@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
