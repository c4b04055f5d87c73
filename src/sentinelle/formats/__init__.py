"""Date formats a European reader cannot misread: "1 Dec 2026 10:46", "1 déc. 2026 10:46".

Django's own English formats give "12/01/2026 10:46 a.m." for 1 December (month first); every
page, e-mail and the back office use these instead (settings.FORMAT_MODULE_PATH). Times are in the
society's time zone (TIME_ZONE), on a 24-hour clock.
"""
