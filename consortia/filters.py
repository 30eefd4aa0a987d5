import django_filters

from .models import City, Consortium, County, Institution, Job, RosterEntry, ServiceAgreement


class CityFilter(django_filters.FilterSet):
    province = django_filters.CharFilter(field_name="province__code")

    class Meta:
        model = City
        fields = ["province"]


class CountyFilter(django_filters.FilterSet):
    province = django_filters.CharFilter(field_name="city__province__code")
    city = django_filters.CharFilter(field_name="city__code")

    class Meta:
        model = County
        fields = ["province", "city"]


class ConsortiumFilter(django_filters.FilterSet):
    county = django_filters.CharFilter(field_name="county__code")
    province = django_filters.CharFilter(field_name="county__city__province__code")

    class Meta:
        model = Consortium
        fields = ["county", "province"]


class InstitutionFilter(django_filters.FilterSet):
    county = django_filters.CharFilter(field_name="county__code")
    consortium = django_filters.CharFilter(field_name="consortium__code")

    class Meta:
        model = Institution
        fields = ["county", "consortium", "tier", "level", "ownership", "placement"]


class ServiceAgreementFilter(django_filters.FilterSet):
    consortium = django_filters.CharFilter(field_name="consortium__code")
    county = django_filters.CharFilter(field_name="consortium__county__code")

    class Meta:
        model = ServiceAgreement
        fields = ["consortium", "county", "year", "scheme", "status"]


class RosterEntryFilter(django_filters.FilterSet):
    month = django_filters.DateFilter()
    month_from = django_filters.DateFilter(field_name="month", lookup_expr="gte")
    month_to = django_filters.DateFilter(field_name="month", lookup_expr="lte")

    class Meta:
        model = RosterEntry
        fields = ["agreement", "month", "team", "category", "enrollee_id"]


class JobFilter(django_filters.FilterSet):
    class Meta:
        model = Job
        fields = ["kind", "status"]
