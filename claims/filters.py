import django_filters

from .models import Claim, ClaimMonthly


class ClaimFilter(django_filters.FilterSet):
    county = django_filters.CharFilter(field_name="county__code")
    consortium = django_filters.CharFilter(field_name="consortium__code")
    member = django_filters.CharFilter(field_name="institution__code")
    settled_from = django_filters.DateFilter(field_name="settled_on", lookup_expr="gte")
    settled_to = django_filters.DateFilter(field_name="settled_on", lookup_expr="lte")

    class Meta:
        model = Claim
        fields = ["county", "consortium", "member", "visit_type", "placement", "insurance_type", "settled_from",
                  "settled_to"]


class ClaimMonthlyFilter(django_filters.FilterSet):
    county = django_filters.CharFilter(field_name="county__code")
    consortium = django_filters.CharFilter(field_name="consortium__code")
    member = django_filters.CharFilter(field_name="institution__code")
    month_from = django_filters.DateFilter(field_name="month", lookup_expr="gte")
    month_to = django_filters.DateFilter(field_name="month", lookup_expr="lte")

    class Meta:
        model = ClaimMonthly
        fields = ["county", "consortium", "member", "visit_type", "placement", "insurance_type", "month_from",
                  "month_to"]
