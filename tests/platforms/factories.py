"""Factories for the platform registry."""

from __future__ import annotations

import factory

from sentinelle.platforms.models import Platform, PlatformDomain


class PlatformFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Platform

    name = factory.Sequence(lambda n: f"Platform {n}")
    kind = "file_host"
    licensed = False
    jurisdiction = "FR"
    notice_language = "fr"
    notice_channel = "email"
    contact_email = factory.Sequence(lambda n: f"abuse{n}@example.org")


class PlatformDomainFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PlatformDomain

    platform = factory.SubFactory(PlatformFactory)
    domain = factory.Sequence(lambda n: f"site{n}.example")
    path_prefix = ""
