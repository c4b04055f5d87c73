import sys

from django.core.exceptions import RequestDataTooBig
from django.db import InterfaceError, OperationalError, connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.views import defaults
from django.views.decorators.http import require_GET, require_POST
from django.views.i18n import set_language as django_set_language

from sentinelle.core.middleware import API_PREFIX
from sentinelle.desk.access import can_act, is_desk_staff
from sentinelle.investigations.access import can_investigate
from sentinelle.members import services as members_services
from sentinelle.members.selectors import member_for_user


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """Members land on their dashboard; staff without a member profile on the work queue, investigators on
    investigations."""
    member = member_for_user(request.user)
    if member is None and is_desk_staff(request.user) and can_act(request.user):
        return redirect("desk:queue")
    if member is None and can_investigate(request.user):
        return redirect("investigations:sites")
    if member is None:
        return redirect("catalogue:my-works")
    return redirect("stats:member")


@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


# Seconds a client is asked to wait after a 503: a few lock timeouts, long enough for a restart.
RETRY_AFTER_SECONDS = 30


def database_unavailable(exc: BaseException | None) -> bool:
    """Whether ``exc`` says the database is locked, too slow or gone (not a bug of ours).

    Django raises OperationalError for a refused or lost connection, a lock or statement timeout,
    a deadlock or serialisation failure, SQLite's "database is locked"; InterfaceError for a
    connection already closed. The transaction they interrupted has been rolled back.
    """
    return isinstance(exc, OperationalError | InterfaceError)


def unavailable(request: HttpRequest) -> HttpResponse:
    """503 with Retry-After: the API's error body under /api/, a plain page elsewhere.

    The page reads nothing from the database (no user, no session): it must render while the
    database is away.
    """
    if request.path_info.startswith(API_PREFIX):
        message = _("The service is briefly unavailable (its database is busy or unreachable). Retry in %(seconds)d s.")
        response: HttpResponse = JsonResponse(
            {"error": {"code": "unavailable", "message": message % {"seconds": RETRY_AFTER_SECONDS}}}, status=503
        )
    else:
        html = render_to_string("503.html", {"retry_after": RETRY_AFTER_SECONDS})
        response = HttpResponse(html, status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def server_error(request: HttpRequest) -> HttpResponse:
    """handler500: Django calls it while handling the uncaught exception, wherever it was raised
    (a view, the API, a middleware loading the session or the user)."""
    if database_unavailable(sys.exc_info()[1]):
        return unavailable(request)
    return defaults.server_error(request)


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """Django's language switch (cookie, safe ``next``), remembered on the account when logged in."""
    response = django_set_language(request)
    if request.user.is_authenticated:
        members_services.set_language(request.user, request.POST.get("language", ""))
    return response


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    """Django's 400, as a page of the site; a body over the size limit is a 413 that says so.

    Django turns a refused request (a body over DATA_UPLOAD_MAX_MEMORY_SIZE, too many fields, a bad
    host) into a 400 through this handler; a page the member can act on replaces its bare text.
    """
    if isinstance(exception, RequestDataTooBig):
        return render(request, "413.html", status=413)
    return render(request, "400.html", status=400)
