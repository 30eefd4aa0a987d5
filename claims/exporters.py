"""The claims' exports: the claims in scope (a county's year: hundreds of thousands of rows, so
streamed, the person's id as the user's role may see it) and the empty import template."""

from django.utils.translation import gettext_lazy as _

from consortia.exports import Export, register
from consortia.models import Institution
from consortia.selectors import person_id_shown, scope_queryset

from .importers import template_header
from .models import Claim


@register
class ClaimsExport(Export):
    identifier = "claims"
    title = _("Claims")
    columns = (_("claim number"), _("insured person id"), _("institution"), _("place of care"), _("visit type"),
               _("admission or visit date"), _("settlement date"), _("total cost"), _("fund paid"),
               _("full self-pay"))
    streaming = True

    def __init__(self, *, user, claims=None):
        """`claims`: the filtered claims of the list; all in the user's scope if not given."""
        self.user = user
        if claims is None:
            claims = scope_queryset(user, Claim.objects.all()).order_by("-settled_on", "-id")
        self.claims = claims

    def rows(self):
        placements, visits = dict(Institution.Placement.choices), dict(Claim.VisitType.choices)
        for c in self.claims.values_list("claim_no", "person_id", "institution__name", "placement", "visit_type",
                                         "admitted_on", "settled_on", "total_cost", "fund_paid", "self_pay_full"
                                         ).iterator(chunk_size=5000):
            yield [c[0], person_id_shown(self.user, c[1]), c[2], placements[c[3]], visits[c[4]], *c[5:]]


@register
class ClaimsTemplateExport(Export):
    """The canonical template: English names on the first row (Chinese headers are accepted too)."""

    identifier = "claims-template"
    title = _("Claims import template")

    @property
    def columns(self):
        return template_header()[0]

    def rows(self):
        return []
