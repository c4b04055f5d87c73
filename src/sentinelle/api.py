"""The project's REST API under /api/v1: the members' API plus the platforms' answer endpoint."""

from sentinelle.notices.api import router as notices_router
from sentinelle.takedowns.api import api

api.add_router("/notices", notices_router)

__all__ = ["api"]
