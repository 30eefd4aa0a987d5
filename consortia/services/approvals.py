"""The approval trail (审批记录) every signed object keeps: each submission, approval and send-back
(退回, with its opinion) appended as a `Decision`, and read back in order for its page and sheet.
The services that move a budget, a clearing, an evaluation or an order call `decision_record`
inside their own transaction, so a step and its record are stored together or not at all."""

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext as _

from consortia.models import Decision, User


def decision_record(*, obj: models.Model, step: str, user: User | None, opinion: str = "") -> Decision:
    opinion = (opinion or "").strip()
    if step == Decision.Step.SENT_BACK and not opinion:
        raise ValidationError({"opinion": [_("Say why it is sent back (the opinion is required).")]})
    decision = Decision(content_type=ContentType.objects.get_for_model(obj), object_id=obj.pk, step=step,
                        opinion=opinion, by=user)
    decision.full_clean()
    decision.save()
    return decision


def sent_back(obj: models.Model) -> bool:
    """Whether the object's last step was a send-back (退回) not yet answered by a resubmission."""
    last = (Decision.objects.filter(content_type=ContentType.objects.get_for_model(obj), object_id=obj.pk)
            .order_by("-at", "-pk").values_list("step", flat=True).first())
    return last == Decision.Step.SENT_BACK


def decisions_of(obj: models.Model) -> list[Decision]:
    """The object's trail, oldest first, with who took each step."""
    return list(Decision.objects.filter(content_type=ContentType.objects.get_for_model(obj), object_id=obj.pk)
                .select_related("by"))
