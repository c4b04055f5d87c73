"""Every write and rule of the notices app, by verb (as zulip's ``actions/``):

``build``     due links → notices per recipient, regime, language and level
``delivery``  one attempt at a time through a channel, exactly once; retries; crash recovery
``discard``   withdraw a notice that never reached its recipient
``held``      notices held for want of a contact: links parked, discovery asked, released on a contact
``answers``   the recipients' decisions per URL
``tokens``    the platforms' API tokens for those answers
``lumen``     sent notices posted to the Lumen database, one request per notice
``societies`` the reciprocal societies whose members a notice may name as represented

The public names are re-exported here, so callers import ``sentinelle.notices.services``.
"""

from sentinelle.conf import notice_max_attempts as max_attempts
from sentinelle.conf import notice_max_urls as max_urls
from sentinelle.conf import notice_retry_delay as retry_delay
from sentinelle.conf import notice_send_lease as send_lease
from sentinelle.conf import society
from sentinelle.notices.routing import Route
from sentinelle.notices.selectors import notice_data
from sentinelle.notices.services.answers import (
    AnswerError,
    ItemDecision,
    RecordedAnswer,
    decide_counter_notice,
    derived_status,
    record_answers,
)
from sentinelle.notices.services.build import DUE_STATUSES, BuildResult, build_notices, due_link_chunks
from sentinelle.notices.services.delivery import (
    AUTOMATIC_CHANNELS,
    CLAIM_BATCH,
    MANUAL_CHANNELS,
    deliver_due,
    deliver_notice,
    enqueue_delivery,
    record_manual_delivery,
    recover_stale,
    requeue,
)
from sentinelle.notices.services.discard import DiscardError, discard_notice
from sentinelle.notices.services.held import release_held
from sentinelle.notices.services.lumen import lumen_enabled
from sentinelle.notices.services.lumen import post_due as post_lumen_due
from sentinelle.notices.services.societies import record_reciprocal_society
from sentinelle.notices.services.tokens import (
    PLATFORM_TOKEN_SCHEME,
    authenticate_platform_token,
    create_platform_token,
    is_search_engine,
)

__all__ = [
    "AUTOMATIC_CHANNELS",
    "CLAIM_BATCH",
    "DUE_STATUSES",
    "MANUAL_CHANNELS",
    "PLATFORM_TOKEN_SCHEME",
    "AnswerError",
    "BuildResult",
    "DiscardError",
    "ItemDecision",
    "RecordedAnswer",
    "Route",
    "authenticate_platform_token",
    "build_notices",
    "create_platform_token",
    "decide_counter_notice",
    "deliver_due",
    "deliver_notice",
    "derived_status",
    "discard_notice",
    "due_link_chunks",
    "enqueue_delivery",
    "is_search_engine",
    "lumen_enabled",
    "max_attempts",
    "max_urls",
    "notice_data",
    "post_lumen_due",
    "record_answers",
    "record_manual_delivery",
    "record_reciprocal_society",
    "recover_stale",
    "release_held",
    "requeue",
    "retry_delay",
    "send_lease",
    "society",
]
