"""Evaluations and negative-list findings show each role exactly its scope, in the API and the
admin: the same statement of the scope as the registry's, applied to the consortium they belong to."""

import pytest
from django.urls import reverse

from consortia.models import Consortium
from evaluation.models import Evaluation, NegativeFinding
from evaluation.services import template_default
from tests.consortia.test_scoping import USERS, expected_visible

MODELS = {Evaluation: ("evaluation", "admin:evaluation_evaluation"),
          NegativeFinding: ("negative-finding", "admin:evaluation_negativefinding")}


@pytest.fixture
def populated(world):
    template = template_default()
    for consortium in Consortium.objects.all():
        Evaluation.objects.create(consortium=consortium, year=2025, template=template)
        NegativeFinding.objects.create(consortium=consortium, year=2025, situation=9, description="其他")
    return world


@pytest.mark.parametrize("username", USERS)
@pytest.mark.parametrize("model", list(MODELS), ids=lambda m: m.__name__)
def test_api_and_admin_show_exactly_the_scope(client, populated, username, model):
    user = getattr(populated, username)
    client.force_login(user)
    api, admin = MODELS[model]
    everything = list(model.objects.select_related("consortium"))
    visible = {o.pk for o in everything if expected_visible(user, o.consortium)}
    assert len(everything) > len(visible) or username == "admin"
    assert {row["id"] for row in client.get(reverse(f"{api}-list")).json()["results"]} == visible
    assert {o.pk for o in client.get(reverse(f"{admin}_changelist")).context["cl"].result_list} == visible
    for obj in everything:
        assert client.get(reverse(f"{api}-detail", args=[obj.pk])).status_code == (200 if obj.pk in visible else 404)
        page = client.get(reverse(f"{admin}_change", args=[obj.pk]))
        assert page.status_code == (200 if obj.pk in visible else 302)
