"""Field types with a meaning beyond storage.

Every secret column (identity documents, contact handles, location notes, note bodies) uses
`SecretTextField`, so the whole set can be found with one grep and encrypted at rest in one place.
"""

from django.db import models


class SecretTextField(models.TextField):
    """Free text that would endanger a person if it leaked. Never logged, emailed or put in a URL."""

    secret = True

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("blank", True)
        kwargs.setdefault("default", "")
        super().__init__(*args, **kwargs)


def secret_field_names(model: type[models.Model]) -> list[str]:
    """Names of the secret fields on a model, for masking in logs, audit trails and exports."""
    return [f.name for f in model._meta.get_fields() if getattr(f, "secret", False)]
