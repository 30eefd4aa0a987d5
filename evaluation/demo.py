"""The demo county's evaluation of its demo year, started as a draft for the clerk to fill."""

from consortia.demo import YEAR
from consortia.models import Consortium, User

from .models import Evaluation
from .services import evaluation_start


def demo_evaluation() -> Evaluation | None:
    consortium = Consortium.objects.filter(code="SX-YGT-01").first()
    staff = User.objects.filter(username="sx_staff").first()
    if consortium is None or staff is None:
        return None
    return evaluation_start(consortium=consortium, year=YEAR, user=staff)
