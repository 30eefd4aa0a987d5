"""People and their roles."""

from django.contrib.auth.password_validation import validate_password
from django.db import transaction

from ..models import User


def user_apply_role(user: User) -> User:
    """Everyone with a role works in the admin screens; only administrators hold every right."""
    user.is_staff = bool(user.role)
    user.is_superuser = user.role == User.Role.ADMINISTRATOR
    return user


@transaction.atomic
def user_create(*, username: str, password: str | None, role: str, **places) -> User:
    user = User(username=username, role=role, **places)
    user_apply_role(user)
    if password:
        validate_password(password, user)
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.full_clean(exclude=["password"])
    user.save()
    return user
