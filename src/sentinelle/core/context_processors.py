from typing import Any

from django.http import HttpRequest

from sentinelle import conf


def society(request: HttpRequest) -> dict[str, Any]:
    return {"society": conf.society()}
