"""Writes and rules of the investigations app, one module per concern.

``dossiers`` (sites, domains, status, mirror suggestions), ``custody`` (the hash-chained log),
``evidence`` (captures: fetch, screenshot, WARC, store, sign, time-stamp), ``damages``
(assessments) and ``export`` (the ZIP for a judicial file).
"""
