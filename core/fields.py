"""Field types with a meaning beyond storage.

Every secret column (identity documents, contact handles, location notes, note bodies) uses
`SecretTextField`, so the whole set can be found with one grep and is encrypted at rest in one place
(cases/crypto.py). `BlindIndexField` keeps keyed digests of a secret for exact-match lookups.
"""

from datetime import date

from django import forms
from django.core.exceptions import FieldError
from django.db import models
from django.db.models.lookups import Exact, IsNull
from django.db.models.signals import post_save

from core import crypto
from core.text import max_chars


def _cannot_search(field: models.Field, how: str) -> FieldError:
    return FieldError(
        f"{field.model._meta.label}.{field.name} is encrypted in the database and cannot be searched with "
        f"“{how}”; only `{field.name}=''` and `{field.name}__isnull` work. For duplicate passports and phone "
        "numbers use cases.identifiers.victims_with_same_identifiers()."
    )


class EmptyOnlyExact(Exact):
    """`field=""` (is it empty?) still works on ciphertext, because empty values are stored empty."""

    def get_prep_lookup(self):
        if self.rhs != "":
            raise _cannot_search(self.lhs.output_field, "exact")
        return super().get_prep_lookup()


SHORT_TEXT_MAX_LENGTH = 300


def _is_textarea(widget) -> bool:
    """Whether a form field would get a text area: none chosen yet, or the admin's TextField override."""
    if widget is None:
        return True
    return isinstance(widget, forms.Textarea) or (isinstance(widget, type) and issubclass(widget, forms.Textarea))


class SecretTextField(models.TextField):
    """Free text that would endanger a person if it leaked. Never logged, emailed or put in a URL.

    Python code sees plaintext; the database holds Fernet ciphertext ("hwenc1:…"). Loading a value that no
    configured key decrypts raises `core.crypto.DecryptionError` rather than showing ciphertext.
    """

    secret = True

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("blank", True)
        kwargs.setdefault("default", "")
        super().__init__(*args, **kwargs)
        if self.max_length is not None:  # a TextField, unlike a CharField, does not check its max_length itself
            self.validators.append(max_chars(self.max_length))

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        if not self.blank:  # our default is blank=True, Django's is False: say so, or migrations lose it
            kwargs["blank"] = False
        return name, path, args, kwargs

    @property
    def label_for_errors(self) -> str:
        return f"{self.model._meta.label}.{self.name}"

    def from_db_value(self, value, expression, connection):
        if value is None or value == "":
            return value
        return crypto.decrypt(value, label=self.label_for_errors)

    def get_db_prep_value(self, value, connection, prepared=False):
        value = super().get_db_prep_value(value, connection, prepared)
        if value is None or value == "":
            return value
        return crypto.encrypt(value)

    def formfield(self, **kwargs):
        # A short secret (a name, a time of day) is one line, not a text area, in every form and the admin.
        widget = kwargs.get("widget")
        if self.max_length and self.max_length <= SHORT_TEXT_MAX_LENGTH and not self.choices and _is_textarea(widget):
            kwargs["widget"] = forms.TextInput(attrs={"class": "vTextField"}) if widget else forms.TextInput
        return super().formfield(**kwargs)

    # Ciphertext is random: any comparison but "is it empty?" would silently match nothing, so refuse it.
    def get_lookup(self, lookup_name):
        if lookup_name == "exact":
            return EmptyOnlyExact
        if lookup_name == "isnull":
            return IsNull
        raise _cannot_search(self, lookup_name)

    def get_transform(self, lookup_name):
        raise _cannot_search(self, lookup_name)


class SecretDateField(SecretTextField):
    """A date stored encrypted (its ISO form inside the ciphertext). Python code and forms see a `date`.

    Nothing can be filtered or sorted by it in SQL; keep what must be queryable (a year) in a column of its own.
    """

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("null", True)
        kwargs.setdefault("default", None)
        super().__init__(*args, **kwargs)

    def to_python(self, value):
        return models.DateField().to_python(value) if isinstance(value, str) and value else value or None

    def from_db_value(self, value, expression, connection):
        plaintext = super().from_db_value(value, expression, connection)
        return date.fromisoformat(plaintext) if plaintext else None

    def get_db_prep_value(self, value, connection, prepared=False):
        if not value:
            return None
        value = self.to_python(value)
        return crypto.encrypt(value.isoformat())

    def value_to_string(self, obj):
        value = self.value_from_object(obj)
        return value.isoformat() if value else ""

    def formfield(self, **kwargs):
        if _is_textarea(kwargs.get("widget")):  # the admin's TextField override: a date gets a date input
            kwargs.pop("widget", None)
        return models.Field.formfield(self, **{"form_class": forms.DateField, **kwargs})


class BlindIndexField(models.TextField):
    """Keyed digests (crypto.passport_index / crypto.phone_index) of the secret field `source`.

    Recomputed on every save and bulk_create (pre_save), and after a save whose update_fields name the source.
    `QuerySet.update()` and `bulk_update()` of the source bypass it: `rotate_encryption_keys --reindex` repairs.
    """

    blind_index = True
    COMPUTE = {"passport": ("passport_number", crypto.passport_index), "phone": ("phone_numbers", crypto.phone_index)}

    def __init__(self, *args, source: str, kind: str, **kwargs):
        if kind not in self.COMPUTE:
            raise ValueError(f"BlindIndexField kind must be one of {sorted(self.COMPUTE)}, not {kind!r}")
        self.source, self.kind = source, kind
        kwargs.setdefault("editable", False)
        kwargs.setdefault("blank", True)
        kwargs.setdefault("default", "")
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs["source"], kwargs["kind"] = self.source, self.kind
        for key, default in (("editable", False), ("blank", True), ("default", "")):
            if kwargs.get(key) == default:
                del kwargs[key]
        return name, path, args, kwargs

    def compute_from(self, *, organization_id: int, source_value: str) -> str:
        argument, function = self.COMPUTE[self.kind]
        return function(organization_id=organization_id, **{argument: source_value or ""})

    def compute(self, instance: models.Model) -> str:
        return self.compute_from(organization_id=instance.organization_id, source_value=getattr(instance, self.source))

    def pre_save(self, model_instance, add):
        value = self.compute(model_instance)
        setattr(model_instance, self.attname, value)
        return value

    def contribute_to_class(self, cls, name, private_only=False):
        super().contribute_to_class(cls, name, private_only)
        if not cls._meta.abstract and cls.__module__ != "__fake__":  # not for migrations' historical models
            uid = f"blind-index:{cls._meta.label}.{name}"
            post_save.connect(self._after_partial_save, sender=cls, weak=False, dispatch_uid=uid)

    def _after_partial_save(self, sender, instance, update_fields=None, raw=False, **kwargs):
        # save(update_fields=["passport_number"]) skips this field's pre_save; follow up so the index never lags.
        if raw or not update_fields or self.source not in update_fields or self.name in update_fields:
            return
        value = self.compute(instance)
        if value != getattr(instance, self.attname):
            setattr(instance, self.attname, value)
            sender._base_manager.filter(pk=instance.pk).update(**{self.attname: value})


def secret_field_names(model: type[models.Model]) -> list[str]:
    """Names of the secret fields on a model, for masking in logs, audit trails and exports."""
    return [f.name for f in model._meta.get_fields() if getattr(f, "secret", False)]
