"""The hand-written part of the seed: search engines, networks, licensed services, mainstream hosts.

Written by the project (AGPL like the rest of it). These entries win over any list-derived entry
for the same domain (see ``build_seed.py``).

Conventions:
- ``jurisdiction`` is the country of the operator's head office. A platform that serves EU users
  through an EU subsidiary (many US groups do, from Ireland) can be switched by staff; the
  regime follows unless overridden.
- Contacts are given only where the platform publishes a stable copyright channel; rows with an
  empty contact are "to be completed" and say so in ``notes``. Every contact should be checked
  by staff before the first notice goes out: platforms move their forms.
- ``licensed`` reflects what a French music society licenses today (SACEM's agreements with
  YouTube, Meta — Facebook and Instagram —, TikTok, Spotify, Deezer, Apple Music, SoundCloud,
  Amazon Music, Dailymotion, Qobuz, Tidal, Napster): on a licensed service the remedy is the
  licence (royalties, content identification), not a takedown notice. Each licensed entry has a
  ``licence_note`` saying it is a default of the seed to check against the society's own
  licences; staff change either in the admin and a re-seed keeps their edit.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

VERIFY = "Contact from the seed data: check it before the first notice."
TO_COMPLETE = "Notice contact to be completed by staff."
LICENCE_TBC = "Unlicensed in the seed; staff to confirm against the society's current licences."

Domain = str | tuple[str, str | None]


def licence_note(what: str) -> str:
    """The note of a platform the seed marks licensed: a default, to check."""
    return (
        f"Licensed by default: French music societies license {what} today. A default of the seed: "
        "check it against the society's current licences (scope, territory, end date)."
    )


def platform(
    name: str,
    kind: str,
    domains: Sequence[Domain],
    *,
    licensed: bool = False,
    licence: str = "",
    jurisdiction: str = "",
    notice_language: str = "en",
    notice_channel: str = "email",
    contact_email: str = "",
    contact_url: str = "",
    notes: str = "",
    removal_markers: list[str] | None = None,
) -> dict[str, Any]:
    if not notes and (contact_email or contact_url or not licensed):
        notes = VERIFY if (contact_email or contact_url) else TO_COMPLETE
    return {
        "name": name,
        "kind": kind,
        "licensed": licensed,
        "licence_note": licence_note(licence or name) if licensed else "",
        "jurisdiction": jurisdiction,
        "notice_language": notice_language,
        "notice_channel": notice_channel,
        "contact_email": contact_email,
        "contact_url": contact_url,
        "notes": notes,
        "removal_markers": removal_markers or [],
        "domains": [[d, None] if isinstance(d, str) else [d[0], d[1]] for d in domains],
    }


GOOGLE_COUNTRY_DOMAINS = [
    # Europe
    "google.fr", "google.de", "google.co.uk", "google.es", "google.it", "google.be", "google.ch", "google.nl",
    "google.at", "google.pt", "google.pl", "google.ie", "google.lu", "google.se", "google.dk", "google.no",
    "google.fi", "google.gr", "google.cz", "google.ro", "google.hu", "google.ru", "google.com.tr",
    # Americas, Asia-Pacific
    "google.ca", "google.com.br", "google.com.mx", "google.com.ar", "google.com.au", "google.co.jp", "google.co.in",
    # French-speaking Africa, Maghreb, Caribbean and Indian Ocean
    "google.co.ma", "google.dz", "google.tn", "google.sn", "google.ci", "google.cm", "google.cd", "google.mg",
    "google.ml", "google.bf", "google.bj", "google.tg", "google.ga", "google.ht", "google.mu", "google.co.za",
]  # fmt: skip

AMAZON_MUSIC_DOMAINS = [
    f"music.amazon.{tld}"
    for tld in ("com", "fr", "de", "co.uk", "it", "es", "ca", "com.au", "co.jp", "in", "com.br", "com.mx", "nl")
]

SEARCH_ENGINES = [
    platform(
        "Google Search", "search_engine", ["google.com", *GOOGLE_COUNTRY_DOMAINS],
        jurisdiction="US", notice_channel="bulk_file",
        contact_url="https://reportcontent.google.com/forms/dmca_search",
        notes="Delisting from Web Search. Other Google services have their own rows. " + VERIFY,
    ),
    platform(
        "Bing", "search_engine", ["bing.com"], jurisdiction="US", notice_channel="web_form",
        contact_url="https://www.microsoft.com/en-us/concern/bing",
        notes="Also feeds the results of DuckDuckGo, Ecosia, Qwant (partly) and Yahoo. " + VERIFY,
    ),
    platform("Yandex", "search_engine", ["yandex.ru", "yandex.com", "yandex.by", "yandex.kz", "yandex.com.tr", "ya.ru"],
             jurisdiction="RU"),
    platform("DuckDuckGo", "search_engine", ["duckduckgo.com"], jurisdiction="US",
             notes="Results come largely from Bing: delist at Bing as well. " + TO_COMPLETE),
    platform("Qwant", "search_engine", ["qwant.com"], jurisdiction="FR", notice_language="fr"),
    platform("Baidu", "search_engine", ["baidu.com"], jurisdiction="CN"),
    platform("Yahoo Search", "search_engine", ["search.yahoo.com"], jurisdiction="US",
             notes="Results come from Bing: delist at Bing as well. " + TO_COMPLETE),
    platform("Ecosia", "search_engine", ["ecosia.org"], jurisdiction="DE",
             notes="Results come from Bing and Google. " + TO_COMPLETE),
    platform("Brave Search", "search_engine", ["search.brave.com"], jurisdiction="US"),
    platform("Startpage", "search_engine", ["startpage.com"], jurisdiction="NL",
             notes="Results come from Google. " + TO_COMPLETE),
]  # fmt: skip

SOCIAL_NETWORKS = [
    platform(
        "Facebook", "social_network", ["facebook.com", "fb.com", "fb.watch", "fb.me", "fbcdn.net", "messenger.com"],
        licensed=True, licence="Meta's Facebook (SACEM-Meta agreement)",
        jurisdiction="US", notice_channel="web_form",
        contact_url="https://www.facebook.com/help/contact/634636770043106",
    ),
    platform(
        "Instagram", "social_network", ["instagram.com", "instagr.am", "cdninstagram.com"],
        licensed=True, licence="Meta's Instagram (SACEM-Meta agreement)",
        jurisdiction="US", notice_channel="web_form",
        contact_url="https://help.instagram.com/contact/552695131608132",
    ),
    platform("Threads", "social_network", ["threads.net", "threads.com"], jurisdiction="US"),
    platform(
        "X (Twitter)", "social_network", ["x.com", "twitter.com", "twimg.com"],
        jurisdiction="US", notice_channel="web_form", contact_url="https://help.x.com/forms/ipi",
    ),
    platform(
        "TikTok", "social_network", ["tiktok.com", "tiktokcdn.com", "tiktokv.com"],
        licensed=True, jurisdiction="SG", notice_channel="web_form", contact_url="https://www.tiktok.com/legal/report/Copyright",
    ),
    platform("Reddit", "social_network", ["reddit.com", "redd.it", "redditmedia.com"], jurisdiction="US",
             contact_email="copyright@reddit.com"),
    platform("VK", "social_network", ["vk.com", "vk.ru", "vk.me", "vkontakte.ru", "userapi.com"], jurisdiction="RU",
             notes="Also used as a file host (documents, audio). " + TO_COMPLETE),
    platform("OK.ru (Odnoklassniki)", "social_network", ["ok.ru", "odnoklassniki.ru"], jurisdiction="RU"),
    platform("Telegram", "social_network", ["t.me", "telegram.me", "telegram.org", "telegram.dog"],
             jurisdiction="AE", contact_email="dmca@telegram.org"),
    platform("Telegraph", "link_site", ["telegra.ph", "graph.org"], jurisdiction="AE",
             contact_email="dmca@telegram.org", notes="Telegram's publishing tool. " + VERIFY),
    platform("Snapchat", "social_network", ["snapchat.com"], jurisdiction="US"),
    platform("Pinterest", "social_network", ["pinterest.com", "pinterest.fr", "pin.it", "pinimg.com"],
             jurisdiction="US", contact_email="copyright@pinterest.com"),
    platform("LinkedIn", "social_network", ["linkedin.com"], jurisdiction="US"),
    platform("Discord", "social_network", ["discord.com", "discord.gg", "discordapp.com", "discordapp.net"],
             jurisdiction="US", contact_email="copyright@discord.com",
             notes="cdn.discordapp.com serves uploaded files. " + VERIFY),
    platform("WhatsApp", "social_network", ["whatsapp.com", "wa.me"], jurisdiction="US"),
    platform("Tumblr", "social_network", ["tumblr.com"], jurisdiction="US"),
    platform("Bluesky", "social_network", ["bsky.app"], jurisdiction="US"),
    platform("Weibo", "social_network", ["weibo.com", "weibo.cn"], jurisdiction="CN"),
]  # fmt: skip

SOUNDCLOUD_MARKERS = ["We can't find that track.", "Sorry! Something went wrong"]

LICENSED_SERVICES = [
    platform(
        "YouTube", "video_platform",
        ["youtube.com", "youtu.be", "music.youtube.com", "youtube-nocookie.com", "ytimg.com", "googlevideo.com"],
        licensed=True, jurisdiction="US",
        notes="Licensed: claims go through Content ID, not notices.",
        removal_markers=["Video unavailable", "This video isn't available anymore", "This video has been removed"],
    ),
    platform("Dailymotion", "video_platform", ["dailymotion.com", "dai.ly", "dmcdn.net"], licensed=True,
             jurisdiction="FR", notice_language="fr"),
    platform("Deezer", "audio_streaming", ["deezer.com", "deezer.page.link", "dzcdn.net"], licensed=True,
             jurisdiction="FR", notice_language="fr"),
    platform("Spotify", "audio_streaming", ["spotify.com", "spotify.link", "scdn.co"], licensed=True,
             jurisdiction="SE"),
    platform("Apple Music", "audio_streaming", ["music.apple.com", "itunes.apple.com"], licensed=True,
             jurisdiction="US",
             notes="Only Apple's music hosts: the rest of apple.com is not a music service."),
    platform("SoundCloud", "audio_streaming", ["soundcloud.com", "snd.sc", "sndcdn.com"], licensed=True,
             jurisdiction="DE", removal_markers=SOUNDCLOUD_MARKERS),
    platform("Qobuz", "audio_streaming", ["qobuz.com"], licensed=True, jurisdiction="FR", notice_language="fr"),
    platform("Tidal", "audio_streaming", ["tidal.com", "tidal.link"], licensed=True, jurisdiction="US"),
    platform("Amazon Music", "audio_streaming", AMAZON_MUSIC_DOMAINS, licensed=True, jurisdiction="US",
             notes="Only the music.amazon.* hosts: the Amazon shops are other services."),
    platform("Napster", "audio_streaming", ["napster.com"], licensed=True, jurisdiction="US"),
]  # fmt: skip

UNLICENSED_MEDIA = [
    platform("Vimeo", "video_platform", ["vimeo.com", "vimeocdn.com"], jurisdiction="US",
             notice_channel="web_form", contact_url="https://vimeo.com/dmca", notes=LICENCE_TBC),
    platform("Twitch", "video_platform", ["twitch.tv", "twitchcdn.net"], jurisdiction="US",
             contact_email="dmca@twitch.tv", notes=LICENCE_TBC),
    platform("Bilibili", "video_platform", ["bilibili.com", "b23.tv"], jurisdiction="CN", notes=LICENCE_TBC),
    platform("Rumble", "video_platform", ["rumble.com"], jurisdiction="US", notes=LICENCE_TBC),
    platform("Odysee", "video_platform", ["odysee.com"], jurisdiction="US", notes=LICENCE_TBC),
    platform("Bandcamp", "audio_streaming", ["bandcamp.com", "bcbits.com"], jurisdiction="US",
             notes="Artists and labels sell their own releases there. " + LICENCE_TBC),
    platform("Audiomack", "audio_streaming", ["audiomack.com"], jurisdiction="US", notes=LICENCE_TBC),
    platform("Mixcloud", "audio_streaming", ["mixcloud.com"], jurisdiction="GB", notes=LICENCE_TBC),
    platform("Internet Archive", "other", ["archive.org"], jurisdiction="US", contact_email="info@archive.org",
             notes="A library: hosts uploaded audio and video, and the Wayback Machine. " + VERIFY),
]  # fmt: skip

FILE_HOSTS = [
    platform(
        "Google Drive", "file_host",
        ["drive.google.com", "docs.google.com", "drive.usercontent.google.com", "googleusercontent.com"],
        jurisdiction="US", notice_channel="web_form",
        contact_url="https://support.google.com/legal/troubleshooter/1114905",
        removal_markers=["Sorry, the file you have requested does not exist.",
                         "this item might not exist or is no longer available"],
    ),
    platform("Google Sites", "link_site", ["sites.google.com"], jurisdiction="US", notice_channel="web_form",
             contact_url="https://support.google.com/legal/troubleshooter/1114905"),
    platform("Google Groups", "link_site", ["groups.google.com"], jurisdiction="US", notice_channel="web_form",
             contact_url="https://support.google.com/legal/troubleshooter/1114905"),
    platform("Blogger", "link_site", ["blogspot.com", "blogger.com"], jurisdiction="US", notice_channel="web_form",
             contact_url="https://support.google.com/legal/troubleshooter/1114905",
             notes="Every *.blogspot.com blog is a site of its own, hosted by Google. " + VERIFY),
    platform("Dropbox", "file_host", ["dropbox.com", "dropboxusercontent.com", "db.tt"], jurisdiction="US",
             contact_email="copyright@dropbox.com",
             removal_markers=["This item was deleted", "That didn't work for some reason"]),
    platform("OneDrive", "file_host", ["onedrive.live.com", "1drv.ms"], jurisdiction="US"),
    platform("WeTransfer", "file_host", ["wetransfer.com", "we.tl"], jurisdiction="NL"),
    platform("SwissTransfer", "file_host", ["swisstransfer.com"], jurisdiction="CH", notice_language="fr"),
    platform("Smash", "file_host", ["fromsmash.com"], jurisdiction="FR", notice_language="fr"),
    platform("Box", "file_host", ["box.com", "boxcloud.com"], jurisdiction="US"),
    platform("pCloud", "file_host", ["pcloud.com", "pcloud.link"], jurisdiction="CH"),
    platform("iCloud Drive", "file_host", ["icloud.com"], jurisdiction="US"),
    platform("MEGA", "file_host", ["mega.nz", "mega.co.nz", "mega.io"], jurisdiction="NZ",
             contact_email="copyright@mega.nz",
             notes="File keys live in the URL fragment. " + VERIFY),
    platform("Yandex Disk", "file_host", ["disk.yandex.ru", "disk.yandex.com", "yadi.sk"], jurisdiction="RU"),
    platform("Baidu Netdisk", "file_host", ["pan.baidu.com", "yun.baidu.com"], jurisdiction="CN"),
    platform("TeraBox", "file_host", ["terabox.com", "1024terabox.com", "teraboxapp.com"], jurisdiction="JP"),
    platform("WordPress.com", "link_site", ["wordpress.com"], jurisdiction="US",
             notes="Every *.wordpress.com blog is hosted by Automattic. " + TO_COMPLETE),
    platform("Pastebin", "link_site", ["pastebin.com"], jurisdiction="US"),
    platform("JustPaste.it", "link_site", ["justpaste.it"], jurisdiction="PL"),
    platform("Scribd", "file_host", ["scribd.com"], jurisdiction="US"),
    platform("Uptodown", "other", ["uptodown.com"], jurisdiction="ES",
             notes="An app store; its subdomains are app pages, not sites of their own. " + TO_COMPLETE),
]  # fmt: skip

URL_SHORTENERS = [
    platform(name, "url_shortener", domains, jurisdiction=jurisdiction)
    for name, domains, jurisdiction in [
        ("Bitly", ["bit.ly", "j.mp", "bitly.com"], "US"),
        ("t.co (X)", ["t.co"], "US"),
        ("TinyURL", ["tinyurl.com"], "US"),
        ("goo.gl (Google)", ["goo.gl"], "US"),
        ("Ow.ly (Hootsuite)", ["ow.ly"], "CA"),
        ("is.gd", ["is.gd", "v.gd"], "GB"),
        ("Buffer (buff.ly)", ["buff.ly"], "US"),
        ("Cuttly", ["cutt.ly"], "PL"),
        ("Rebrandly", ["rebrand.ly", "rebrandly.com"], "IE"),
        ("ShortURL.at", ["shorturl.at"], ""),
        ("Tiny.cc", ["tiny.cc"], "US"),
        ("rb.gy", ["rb.gy"], ""),
        ("T.LY", ["t.ly"], "US"),
        ("lnkd.in (LinkedIn)", ["lnkd.in"], "US"),
        ("amzn.to (Amazon)", ["amzn.to", "a.co"], "US"),
        ("Shorte.st", ["shorte.st", "sh.st"], ""),
        ("Ouo.io", ["ouo.io", "ouo.press"], ""),
        ("AdFly", ["adf.ly"], ""),
        ("Linkvertise", ["linkvertise.com", "link-to.net"], "DE"),
        ("bc.vc", ["bc.vc"], ""),
    ]
]

HOSTING_PROVIDERS = [
    platform("Cloudflare", "other", ["cloudflare.com", "pages.dev", "workers.dev"], jurisdiction="US",
             notice_channel="web_form", contact_url="https://abuse.cloudflare.com/",
             notes="CDN and reverse proxy: forwards notices to the origin host and can reveal it. "
                   "*.pages.dev and *.workers.dev sites are hosted by Cloudflare. " + VERIFY),
    platform("OVHcloud", "other", ["ovh.com", "ovhcloud.com"], jurisdiction="FR", notice_language="fr"),
    platform("Hetzner", "other", ["hetzner.com"], jurisdiction="DE"),
    platform("Scaleway", "other", ["scaleway.com"], jurisdiction="FR", notice_language="fr"),
    platform("DigitalOcean", "other", ["digitalocean.com"], jurisdiction="US"),
]  # fmt: skip

CURATED: list[dict[str, Any]] = [
    *SEARCH_ENGINES,
    *SOCIAL_NETWORKS,
    *LICENSED_SERVICES,
    *UNLICENSED_MEDIA,
    *FILE_HOSTS,
    *URL_SHORTENERS,
    *HOSTING_PROVIDERS,
]
