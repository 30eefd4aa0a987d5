"""What a signed-in user is shown is never cached; production sends a Content-Security-Policy
that the pages keep (no inline script); every message a user can see is Chinese."""

import re
from pathlib import Path

from django.urls import reverse

TEMPLATES = Path(__file__).resolve().parents[1] / "templates"


def test_pages_api_answers_and_downloads_of_a_signed_in_user_are_not_stored(client, world):
    client.force_login(world.staff_a1)
    for url in (reverse("home"), reverse("claims"), reverse("claim-list"), reverse("claims") + "?export=csv",
                reverse("payments")):
        response = client.get(url)
        assert response.status_code == 200, url
        assert "no-store" in response["Cache-Control"], url


def test_production_sends_a_policy_the_pages_keep(client, world, settings):
    settings.CONTENT_SECURITY_POLICY = "default-src 'self'; script-src 'self'"
    client.force_login(world.staff_a1)
    page = client.get(reverse("payments"))
    assert page["Content-Security-Policy"] == "default-src 'self'; script-src 'self'"
    inline = re.compile(r"<script(?![^>]*\bsrc=)|\son(submit|click|change|load|input)=", re.I)
    offenders = [str(path.relative_to(TEMPLATES)) for path in TEMPLATES.rglob("*.html") if inline.search(path.read_text())]
    assert offenders == []  # confirmations and auto-submits come from static/js/confirm.js
    assert 'src="/static/js/confirm.js"' in page.content.decode()


def test_the_password_rules_speak_chinese(client, world):
    client.force_login(world.staff_a1)
    form = client.get(reverse("password_change")).content.decode()
    assert "密码至少须有 10 个字符" in form
    refused = client.post(reverse("password_change"), {"old_password": "x", "new_password1": "abc12",
                                                       "new_password2": "abc12"}).content.decode()
    assert "密码太短：至少须有 10 个字符" in refused and "This password" not in refused
