from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_GET

from sentinelle.investigations.access import can_investigate
from sentinelle.members.selectors import member_for_user


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """Members land on their catalogue; investigators and staff without a member profile on investigations."""
    if can_investigate(request.user) and member_for_user(request.user) is None:
        return redirect("investigations:sites")
    return redirect("catalogue:my-works")


@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
