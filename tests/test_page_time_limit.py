"""A page's query past PAGE_STATEMENT_TIMEOUT_MS is stopped by PostgreSQL and the person is asked, in
Chinese, to narrow the request (503); the next request runs without the limit left over, and a
download, which streams past the response, is not limited this way."""

import pytest
from django.db import connection
from django.urls import reverse

from consortia.models import User

pytestmark = [pytest.mark.django_db(transaction=True),
              pytest.mark.skipif("connection.vendor != 'postgresql'", reason="PostgreSQL's statement_timeout")]


def _slow(user):
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_sleep(2)")


def test_a_page_that_would_hold_the_database_too_long_is_stopped_and_said(client, settings, monkeypatch):
    from claims import views

    settings.PAGE_STATEMENT_TIMEOUT_MS = 200
    client.force_login(User.objects.create_user(username="admin1", password="x-Very-long-1", role="administrator"))
    monkeypatch.setattr(views, "latest_month", _slow)  # a scope read that takes seconds
    page = client.get(reverse("claims"))
    assert page.status_code == 503
    body = page.content.decode()
    assert "查询范围过大" in body and "未作任何更改" in body
    with connection.cursor() as cursor:
        cursor.execute("SHOW statement_timeout")
        assert cursor.fetchone()[0] == "0"  # nothing left over for the next request on this connection


def test_a_download_is_not_limited(client, settings, monkeypatch):
    from claims import views

    settings.PAGE_STATEMENT_TIMEOUT_MS = 200
    client.force_login(User.objects.create_user(username="admin1", password="x-Very-long-1", role="administrator"))
    monkeypatch.setattr(views, "latest_month", _slow)
    assert client.get(reverse("claims"), {"export": "csv"}).status_code == 200  # a download: not limited
