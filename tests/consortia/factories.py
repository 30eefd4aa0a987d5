import datetime

import factory

from consortia import services
from consortia.models import City, Consortium, County, Institution, Province, ServiceAgreement, User

PASSWORD = "Correct-horse-42"


class ProvinceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Province
        django_get_or_create = ["code"]

    code = factory.Sequence(lambda n: f"P{n:05d}")
    name = factory.Sequence(lambda n: f"省{n}")


class CityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = City

    province = factory.SubFactory(ProvinceFactory)
    code = factory.Sequence(lambda n: f"C{n:05d}")
    name = factory.Sequence(lambda n: f"市{n}")


class CountyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = County

    city = factory.SubFactory(CityFactory)
    code = factory.Sequence(lambda n: f"9{n:05d}")  # a 6-digit administrative division, as real counties have
    name = factory.Sequence(lambda n: f"县{n}")


class ConsortiumFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Consortium

    county = factory.SubFactory(CountyFactory)
    code = factory.Sequence(lambda n: f"YGT-{n:04d}")
    name = factory.Sequence(lambda n: f"医共体{n}")


class MemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Institution

    consortium = factory.SubFactory(ConsortiumFactory)
    county = factory.SelfAttribute("consortium.county")
    code = factory.LazyAttributeSequence(lambda o, n: f"H{o.county.code}{n:05d}")  # the national form
    name = factory.Sequence(lambda n: f"卫生院{n}")
    tier = Institution.Tier.TOWNSHIP
    level = Institution.Level.BASIC
    ownership = Institution.Ownership.PUBLIC
    placement = Institution.Placement.IN_CONSORTIUM


def agreement(consortium, scheme="shexian-2025", year=2025, active=False, **kwargs) -> ServiceAgreement:
    made = services.agreement_create(
        consortium=consortium, year=year, scheme=scheme,
        signed_date=datetime.date(year, 1, 5), user=None, **kwargs,
    )
    if active:
        if consortium.lead_hospital is None:
            MemberFactory(consortium=consortium, tier=Institution.Tier.LEAD, level=Institution.Level.SECONDARY)
        services.agreement_activate(agreement=made, user=None)
        made.refresh_from_db()
    return made


def user(role, username=None, **places) -> User:
    return services.user_create(
        username=username or f"{role}-{User.objects.count() + 1}", password=PASSWORD, role=role, **places
    )
