from typing import Any

from django.conf import settings
from django.http import HttpRequest


def society(request: HttpRequest) -> dict[str, Any]:
    return {"society": settings.SENTINELLE_SOCIETY}
