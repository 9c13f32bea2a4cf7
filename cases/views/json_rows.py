"""A case's short lists read on the case's own row: each list one JSON array column (a subquery), made back into
model instances here, so the case page spends no query per list (reporters, evidence).

Every concrete field of the model (and of each related model named) is in the JSON, so the instances are whole:
nothing is loaded later, one row at a time.
"""

import json
from datetime import UTC

from django.db import connection, models
from django.db.models import F, JSONField, OuterRef, Subquery
from django.db.models.functions import JSONObject
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.timezone import is_naive, make_aware

from core.fields import SecretTextField


class JSONRows(models.Aggregate):
    """The rows' JSON objects as one JSON array (JSON_GROUP_ARRAY on SQLite, JSONB_AGG on PostgreSQL)."""

    function = "JSON_GROUP_ARRAY"
    output_field = JSONField()

    def as_postgresql(self, compiler, connection, **extra_context):
        # jsonb, not json: Django reads jsonb as text and decodes it itself (psycopg would decode json first)
        return super().as_sql(compiler, connection, function="JSONB_AGG", **extra_context)


def _columns(model, related: tuple[str, ...]) -> dict[str, F]:
    names = [field.attname for field in model._meta.concrete_fields]
    for relation in related:
        target = model._meta.get_field(relation).related_model
        names += [f"{relation}__{field.attname}" for field in target._meta.concrete_fields]
    return {name: F(name) for name in names}


def json_rows(queryset, *, outer: str, related: tuple[str, ...] = ()) -> Subquery:
    """The rows of `queryset` whose `outer` field is the outer query's row, as one JSON array."""
    rows = JSONRows(JSONObject(**_columns(queryset.model, related)))
    grouped = queryset.filter(**{outer: OuterRef("pk")}).order_by().values(outer).annotate(rows=rows)
    return Subquery(grouped.values("rows"), output_field=JSONField())


def _value(field, value):
    if value is None:
        return None
    if isinstance(field, SecretTextField):
        return field.from_db_value(value, None, connection)
    if isinstance(field, models.DateTimeField):
        moment = parse_datetime(value)
        return make_aware(moment, UTC) if is_naive(moment) else moment
    if isinstance(field, models.DateField):
        return parse_date(value)
    if isinstance(field, JSONField):
        return json.loads(value) if isinstance(value, str) else value
    if isinstance(field, models.BooleanField):
        return bool(value)
    return field.to_python(value)


def _instance(model, row: dict, prefix: str = ""):
    fields = model._meta.concrete_fields
    values = [_value(field, row.get(prefix + field.attname)) for field in fields]
    if values[[field.attname for field in fields].index(model._meta.pk.attname)] is None:
        return None  # a related row that is not there (a nullable foreign key)
    return model.from_db(connection.alias, [field.attname for field in fields], values)


def instances(model, rows, *, related: tuple[str, ...] = (), ordering=None, reverse: bool = False) -> list:
    """The model instances of a `json_rows` column (None: no rows), their `related` rows attached, sorted by the
    key `ordering` (a JSON array has no order of its own), descending when `reverse`."""
    if isinstance(rows, str):
        rows = json.loads(rows)
    made = []
    for row in rows or ():
        obj = _instance(model, row)
        for relation in related:
            field = model._meta.get_field(relation)
            field.set_cached_value(obj, _instance(field.related_model, row, f"{relation}__"))
        made.append(obj)
    if ordering is not None:
        made.sort(key=ordering, reverse=reverse)
    return made
