"""The project's REST API under /api/v1: the members' API plus the platforms' answer endpoint."""

from sentinelle.investigations.api import router as investigations_router
from sentinelle.notices.api import router as notices_router
from sentinelle.stats.api import router as stats_router
from sentinelle.takedowns.api import api

api.add_router("/notices", notices_router)
api.add_router("/investigations", investigations_router)
api.add_router("/stats", stats_router)

__all__ = ["api"]
