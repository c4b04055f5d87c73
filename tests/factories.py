"""factory_boy factories shared by the test suite."""

from __future__ import annotations

import factory

from sentinelle.catalogue.identifiers import ipi_check_digits, iswc_check_digit
from sentinelle.catalogue.models import Interest, Party, PartyKind, Work
from sentinelle.members.models import Member, User
from sentinelle.platforms.models import Platform, PlatformDomain

PASSWORD = "correct-horse-battery-staple"


def make_ipi(n: int) -> str:
    base = f"{n:09d}"
    return f"{base}{ipi_check_digits(base):02d}"


def make_iswc(n: int) -> str:
    base = f"{n:09d}"
    return f"T{base}{iswc_check_digit(base)}"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.org")
    full_name = factory.Faker("name")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):  # type: ignore[no-untyped-def]
        if create:
            obj.save()


class MemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Member

    user = factory.SubFactory(UserFactory)
    member_number = factory.Sequence(lambda n: f"M{n:06d}")
    name = factory.LazyAttribute(lambda o: o.user.full_name)
    ipi_name_number = factory.Sequence(lambda n: make_ipi(100000 + n))
    kinds = factory.LazyFunction(lambda: ["author"])


class WorkFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Work

    title = factory.Sequence(lambda n: f"Work number {n}")
    iswc = factory.Sequence(lambda n: make_iswc(500000 + n))
    work_code = factory.Sequence(lambda n: f"W{n:08d}")
    language = "FR"


class PartyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Party

    kind = PartyKind.WRITER
    interested_party_number = factory.Sequence(lambda n: f"IP{n:06d}")
    name = factory.Faker("last_name")
    first_name = factory.Faker("first_name")
    ipi_name_number = ""


class InterestFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Interest

    work = factory.SubFactory(WorkFactory)
    member = factory.SubFactory(MemberFactory)
    party = factory.SubFactory(
        PartyFactory,
        ipi_name_number=factory.SelfAttribute("..member.ipi_name_number"),
        member=factory.SelfAttribute("..member"),
    )
    role = "CA"
    pr_share = 50
    mr_share = 50


def make_platform(name: str, kind: str, domains: list[str], *, licensed: bool = False, **extra: object) -> Platform:
    platform = Platform.objects.create(name=name, kind=kind, licensed=licensed, **extra)
    for domain in domains:
        host, _, prefix = domain.partition("/")
        PlatformDomain.objects.create(platform=platform, domain=host, path_prefix=f"/{prefix}" if prefix else "")
    return platform
