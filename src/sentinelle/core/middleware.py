"""Cross-cutting response shaping."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import translation
from django.utils.translation import gettext as _

API_PREFIX = "/api/v1/"


class ApiErrorBodyMiddleware:
    """Under /api/v1/, every 404 and 405 carries the API's error body.

    The API's own handlers already answer ``{"error": {"code", "message"}}``; two answers came from
    elsewhere: Django's HTML page for a path no endpoint serves, and django-ninja's plain-text 405
    for a known path asked with another method. A client parsing errors by ``code`` gets them too
    (the ``Allow`` header of a 405 is kept).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            response.status_code in (404, 405)
            and request.path_info.startswith(API_PREFIX)
            and not response.get("Content-Type", "").startswith("application/json")
        ):
            # In the language LocaleMiddleware chose for the request, as the API's other messages.
            with translation.override(getattr(request, "LANGUAGE_CODE", settings.LANGUAGE_CODE)):
                return _json_error(response)
        return response


def _json_error(response: HttpResponse) -> HttpResponse:
    if response.status_code == 404:
        message = _("No such endpoint: the list is at %(docs)s.") % {"docs": API_PREFIX + "docs"}
        return JsonResponse({"error": {"code": "not_found", "message": message}}, status=404)
    allowed = response.get("Allow", "")
    message = _("This method is not allowed here. Allowed: %(methods)s.") % {"methods": allowed or "-"}
    answer = JsonResponse({"error": {"code": "method_not_allowed", "message": message}}, status=405)
    if allowed:
        answer["Allow"] = allowed
    return answer


class UserLanguageMiddleware:
    """A logged-in user reads the site in the language stored on their account, on any device.

    Runs after the authentication middleware; LocaleMiddleware has chosen from the cookie and
    the browser, which stay the rule for visitors and for accounts with no language stored.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        code = getattr(user, "language", "") if user is not None and user.is_authenticated else ""
        if code and code in dict(settings.LANGUAGES) and code != getattr(request, "LANGUAGE_CODE", None):
            translation.activate(code)
            request.LANGUAGE_CODE = code
        return self.get_response(request)
