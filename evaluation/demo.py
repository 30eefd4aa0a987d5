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


def demo_evaluation_confirmed(*, staff, auditor) -> Evaluation | None:
    """The demo year's evaluation filled (every item met but item 5, half met: 97.50), submitted by
    the clerk and confirmed by the auditor, as at the end of a real year. Idempotent."""
    from .services import evaluation_confirm, evaluation_submit, item_result_set

    evaluation = Evaluation.objects.filter(consortium__code="SX-YGT-01", year=YEAR).first()
    if evaluation is None or evaluation.status == Evaluation.Status.CONFIRMED:
        return evaluation
    if evaluation.status == Evaluation.Status.DRAFT:
        for result in evaluation.results.select_related("item"):
            item_result_set(result=result, value="partly" if result.item.number == 5 else "met",
                            evidence="演示：年度考核资料已归档", user=staff)
        evaluation = evaluation_submit(evaluation=evaluation, user=staff)
    return evaluation_confirm(evaluation=evaluation, user=auditor, opinion="演示：核查无误")
