"""Plain registry rows (places, consortia, institutions) written through the API."""

from django.db import models, transaction


@transaction.atomic
def registry_record_save(*, instance: models.Model, values: dict) -> models.Model:
    """Applies `values`, validates the row with its model's rules and constraints, saves it."""
    for name, value in values.items():
        setattr(instance, name, value)
    instance.full_clean()
    instance.save()
    return instance
