"""Sign-in throttling and session lifetime."""

import time

import pytest
from django.urls import reverse

from consortia.middleware import LAST_SEEN, STARTED
from tests.consortia.factories import PASSWORD


def sign_in(client, username, password, address="10.0.0.1"):
    return client.post(
        reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=address
    )


def test_five_wrong_passwords_lock_that_user_from_that_address(client, world, settings):
    assert settings.AXES_FAILURE_LIMIT == 5
    for _ in range(4):
        assert sign_in(client, "staff_a1", "wrong-password").status_code == 200
    locked = sign_in(client, "staff_a1", "wrong-password")
    assert locked.status_code == 429
    # Even the right password is refused now, with the lockout page in Chinese.
    refused = sign_in(client, "staff_a1", PASSWORD)
    assert refused.status_code == 429
    assert "登录已锁定" in refused.content.decode()
    assert "_auth_user_id" not in client.session


def test_an_attacker_elsewhere_cannot_lock_the_victim_out(client, world):
    for _ in range(10):
        sign_in(client, "staff_a1", "guess", address="203.0.113.9")
    assert sign_in(client, "staff_a1", "guess", address="203.0.113.9").status_code == 429
    victim = sign_in(client, "staff_a1", PASSWORD, address="10.0.0.7")
    assert victim.status_code == 302
    assert client.session["_auth_user_id"] == str(world.staff_a1.pk)


def test_a_good_sign_in_resets_the_count(client, world):
    for _ in range(4):
        sign_in(client, "staff_a1", "wrong-password")
    assert sign_in(client, "staff_a1", PASSWORD).status_code == 302
    client.logout()
    for _ in range(4):
        assert sign_in(client, "staff_a1", "wrong-password").status_code == 200
    assert sign_in(client, "staff_a1", PASSWORD).status_code == 302


def test_api_basic_auth_is_throttled_too(client, world):
    import base64

    def call(password):
        token = base64.b64encode(f"staff_a1:{password}".encode()).decode()
        return client.get(reverse("consortium-list"), HTTP_AUTHORIZATION=f"Basic {token}", REMOTE_ADDR="10.0.0.2")

    assert call(PASSWORD).status_code == 200
    for _ in range(5):
        call("wrong-password")
    assert call(PASSWORD).status_code in (401, 403, 429)


def _age_session(client, *, started_ago, idle_for):
    session = client.session
    now = time.time()
    session[STARTED] = now - started_ago
    session[LAST_SEEN] = now - idle_for
    session.save()


def test_thirty_minutes_idle_signs_out(client, world):
    assert sign_in(client, "staff_a1", PASSWORD).status_code == 302
    assert client.get(reverse("home")).status_code == 200
    _age_session(client, started_ago=3600, idle_for=29 * 60)
    assert client.get(reverse("home")).status_code == 200
    _age_session(client, started_ago=3600, idle_for=31 * 60)
    response = client.get(reverse("home"))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))
    assert client.get(reverse("consortium-list")).status_code == 403


def test_twelve_hours_after_sign_in_signs_out_however_active(client, world):
    sign_in(client, "staff_a1", PASSWORD)
    _age_session(client, started_ago=11 * 3600 + 3500, idle_for=60)
    assert client.get(reverse("home")).status_code == 200
    _age_session(client, started_ago=12 * 3600 + 1, idle_for=60)
    response = client.get(reverse("home"), follow=True)
    assert response.redirect_chain[-1][0].startswith(reverse("login"))
    assert "12" in response.content.decode()


def test_passwords_are_hashed_strongly_and_validated(settings, world):
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    from django.contrib.auth.hashers import Argon2PasswordHasher

    from config.settings import base

    # The tests hash quickly; every deployed setting hashes with Argon2.
    assert base.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"
    encoded = Argon2PasswordHasher().encode("Correct-horse-42", Argon2PasswordHasher().salt())
    assert encoded.startswith("argon2$") and Argon2PasswordHasher().verify("Correct-horse-42", encoded)
    with pytest.raises(ValidationError):
        validate_password("12345678")
    with pytest.raises(ValidationError):
        validate_password("staff_a1x", world.staff_a1)


def test_behind_nginx_the_lock_keys_on_the_real_client(client, world, settings):
    """With one proxy, every request comes from 127.0.0.1; the client is the address nginx
    appended, and a forged X-Forwarded-For entry to its left changes nothing."""
    settings.PROXY_COUNT = 1

    def attempt(password, client_address, forged=""):
        header = f"{forged}, {client_address}" if forged else client_address
        return client.post(
            reverse("login"), {"username": "staff_a1", "password": password},
            REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR=header,
        )

    for n in range(6):
        attempt("guess", "203.0.113.9", forged=f"10.9.9.{n}")
    assert attempt(PASSWORD, "203.0.113.9", forged="10.0.0.7").status_code == 429
    assert attempt(PASSWORD, "10.0.0.7").status_code == 302
