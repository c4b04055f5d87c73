"""The one list of tracking parameters that canonicalisation drops.

A tracking parameter identifies the person who shared or clicked a link, never the content, so
two links that differ only by one are the same link. Keep every such name here and nowhere else.
Names are compared in lower case after percent-decoding of unreserved characters.
"""

from __future__ import annotations

# Dropped on every site.
TRACKING_PARAMS: frozenset[str] = frozenset(
    {
        # Google Analytics / Ads
        "_ga",
        "_gl",
        "gclid",
        "gclsrc",
        "dclid",
        "gbraid",
        "wbraid",
        "gad_source",
        # Microsoft / Yandex / other ad networks
        "msclkid",
        "yclid",
        "ysclid",
        "twclid",
        "ttclid",
        "li_fat_id",
        "s_kwcid",
        "ef_id",
        "epik",
        # Social networks
        "fbclid",
        "igshid",
        "igsh",
        "ref_src",
        "ref_url",
        # Mailing tools (Mailchimp, HubSpot, Marketo, Vero, Olytics)
        "mc_cid",
        "mc_eid",
        "_hsenc",
        "_hsmi",
        "__hssc",
        "__hstc",
        "__hsfp",
        "hsctatracking",
        "mkt_tok",
        "vero_id",
        "vero_conv",
        "oly_anon_id",
        "oly_enc_id",
        "wickedid",
        "rb_clickid",
        "_openstat",
    }
)

# Dropped on every site when the name starts with one of these.
TRACKING_PREFIXES: tuple[str, ...] = ("utm_", "pk_", "mtm_", "hsa_")

# Dropped only on the named registrable domains: elsewhere the same name can select content
# (``si`` is a share id on YouTube and Spotify but a page number on some forums).
SITE_TRACKING_PARAMS: dict[str, frozenset[str]] = {
    "youtube.com": frozenset({"si", "feature", "pp", "ab_channel"}),
    "youtu.be": frozenset({"si", "feature"}),
    "spotify.com": frozenset({"si", "context", "nd", "dl_branch"}),
    "soundcloud.com": frozenset({"si", "in", "in_system_playlist"}),
    "instagram.com": frozenset({"igsh", "img_index"}),
    "twitter.com": frozenset({"s", "t"}),
    "x.com": frozenset({"s", "t"}),
    # X's shortener adds ?amp=1 to links shared from AMP pages; the short link is the same.
    "t.co": frozenset({"amp"}),
    "tiktok.com": frozenset({"is_from_webapp", "sender_device", "_r", "_t"}),
    "facebook.com": frozenset({"mibextid", "rdid", "sfnsn"}),
}


def is_tracking_param(name: str, site_params: frozenset[str] | None = None) -> bool:
    """True when the (lower-cased) query parameter ``name`` only tracks a click or a share."""
    return (
        name in TRACKING_PARAMS
        or name.startswith(TRACKING_PREFIXES)
        or (site_params is not None and name in site_params)
    )
