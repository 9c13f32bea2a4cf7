"""Bulk upkeep of secrets as stored: encrypt old plaintext, re-encrypt columns and files under a new key, rebuild
blind indexes.

Used by migration cases/0003 and `manage.py rotate_encryption_keys`. Rows are read in batches ordered by primary
key, each batch is written in its own transaction, and a row is only written if it still holds the value that was
read (compare-and-set). So it can run while people use the app, stop at any point, and simply be run again.
"""

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from django.apps import apps as django_apps
from django.db import models, transaction

from . import crypto

DEFAULT_BATCH_SIZE = 500


@dataclass(frozen=True)
class SecretTable:
    """Where a model's secret columns live in the database."""

    label: str
    table: str
    pk_column: str
    columns: tuple[str, ...]

    @classmethod
    def for_model(cls, model: type[models.Model], field_names: tuple[str, ...] | None = None) -> "SecretTable":
        fields = (
            [model._meta.get_field(name) for name in field_names]
            if field_names is not None
            else [f for f in model._meta.concrete_fields if getattr(f, "secret", False)]
        )
        return cls(
            label=model._meta.label,
            table=model._meta.db_table,
            pk_column=model._meta.pk.column,
            columns=tuple(f.column for f in fields),
        )

    def count(self, connection) -> int:
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(self.table)}")  # noqa: S608
            return cursor.fetchone()[0]


def secret_tables() -> list[SecretTable]:
    """Every model with secret columns, in a stable order."""
    found = [
        SecretTable.for_model(model)
        for model in django_apps.get_models()
        if model._meta.managed and any(getattr(f, "secret", False) for f in model._meta.concrete_fields)
    ]
    return sorted(found, key=lambda table: table.label)


@dataclass
class Progress:
    rows_seen: int = 0
    rows_written: int = 0
    rows_changed_meanwhile: int = 0  # saved by someone between our read and write; their value is already current


def _batches(connection, table: SecretTable, *, batch_size: int) -> Iterator[list[tuple]]:
    """Keyset pagination by primary key: each query starts after the last row seen, so the cost stays flat."""
    quote = connection.ops.quote_name
    columns = ", ".join(quote(column) for column in (table.pk_column, *table.columns))
    base = f"SELECT {columns} FROM {quote(table.table)}"  # noqa: S608 (names come from model metadata)
    order = f" ORDER BY {quote(table.pk_column)} LIMIT %s"
    last_pk = None
    while True:
        with connection.cursor() as cursor:
            if last_pk is None:
                cursor.execute(base + order, [batch_size])
            else:
                cursor.execute(base + f" WHERE {quote(table.pk_column)} > %s" + order, [last_pk, batch_size])
            rows = cursor.fetchall()
        if not rows:
            return
        yield rows
        last_pk = rows[-1][0]


def _write_batch(connection, table: SecretTable, rows: list[tuple], transform: Callable, progress: Progress) -> None:
    quote = connection.ops.quote_name
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        for pk, *old_values in rows:
            changes = []
            for column, old in zip(table.columns, old_values, strict=True):
                new = transform(old, label=f"{table.label}.{column} (row {pk})")
                if new != old:
                    changes.append((column, old, new))
            if not changes:
                continue
            assignments = ", ".join(f"{quote(column)} = %s" for column, _old, _new in changes)
            unchanged = " AND ".join(f"{quote(column)} = %s" for column, _old, _new in changes)
            cursor.execute(
                f"UPDATE {quote(table.table)} SET {assignments} "  # noqa: S608
                f"WHERE {quote(table.pk_column)} = %s AND {unchanged}",
                [*(new for _c, _o, new in changes), pk, *(old for _c, old, _n in changes)],
            )
            if cursor.rowcount == 1:
                progress.rows_written += 1
            else:
                progress.rows_changed_meanwhile += 1


def _process(
    connection, table: SecretTable, transform: Callable, *, batch_size: int, on_batch: Callable[[int], None] | None
) -> Progress:
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1")
    progress = Progress()
    if not table.columns:
        return progress
    for rows in _batches(connection, table, batch_size=batch_size):
        _write_batch(connection, table, rows, transform, progress)
        progress.rows_seen += len(rows)
        if on_batch:
            on_batch(len(rows))
    return progress


def _encrypt_if_plaintext(value, *, label: str):
    if value is None or value == "":
        return value
    if crypto.is_encrypted(value):
        crypto.decrypt(value, label=label)  # already encrypted: prove the configured keys open it, or fail loudly
        return value
    return crypto.encrypt(value)


def _rotate_unless_current(value, *, label: str):
    if value is None or value == "" or crypto.is_under_first_key(value):
        return value
    return crypto.rotate(value, label=label)


def encrypt_plaintext_rows(
    *, connection, table: SecretTable, batch_size: int = DEFAULT_BATCH_SIZE, on_batch=None
) -> Progress:
    """Encrypt values still stored as plaintext; leave encrypted ones alone (idempotent)."""
    return _process(connection, table, _encrypt_if_plaintext, batch_size=batch_size, on_batch=on_batch)


def rotate_rows(*, connection, table: SecretTable, batch_size: int = DEFAULT_BATCH_SIZE, on_batch=None) -> Progress:
    """Re-encrypt under the first key every value that is not under it yet (so a re-run resumes cheaply)."""
    return _process(connection, table, _rotate_unless_current, batch_size=batch_size, on_batch=on_batch)


def blind_index_models() -> list[type[models.Model]]:
    return [
        model
        for model in django_apps.get_models()
        if any(getattr(f, "blind_index", False) for f in model._meta.concrete_fields)
    ]


def rebuild_blind_indexes(
    model: type[models.Model], *, using: str = "default", batch_size: int = DEFAULT_BATCH_SIZE, on_batch=None
) -> Progress:
    """Recompute every blind index of `model` with the current BLIND_INDEX_KEY (e.g. after changing it)."""
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1")
    fields = [f for f in model._meta.concrete_fields if getattr(f, "blind_index", False)]
    sources = sorted({f.source for f in fields})
    manager = model._base_manager.db_manager(using)
    progress = Progress()
    last_pk = None
    while True:
        rows = manager.order_by("pk")
        if last_pk is not None:
            rows = rows.filter(pk__gt=last_pk)
        batch = list(rows.values("pk", "organization_id", *sources, *(f.attname for f in fields))[:batch_size])
        if not batch:
            return progress
        with transaction.atomic(using=using):
            for row in batch:
                new = {
                    f.attname: f.compute_from(organization_id=row["organization_id"], source_value=row[f.source])
                    for f in fields
                }
                if all(row[name] == value for name, value in new.items()):
                    continue
                # Only if nobody re-saved the row meanwhile (their save computed the index with the current key).
                if manager.filter(pk=row["pk"], **{f.attname: row[f.attname] for f in fields}).update(**new):
                    progress.rows_written += 1
                else:
                    progress.rows_changed_meanwhile += 1
        progress.rows_seen += len(batch)
        last_pk = batch[-1]["pk"]
        if on_batch:
            on_batch(len(batch))


@dataclass(frozen=True)
class DerivedIndex:
    """An index kept outside the model's own columns (the name index), rebuilt by `rotate_encryption_keys --reindex`.

    `count(using)` gives the rows to go through; `rebuild(using=, batch_size=, on_batch=)` recomputes them.
    """

    label: str
    count: Callable[..., int]
    rebuild: Callable[..., object]


DERIVED_INDEXES: dict[str, DerivedIndex] = {}


def register_derived_index(label: str, *, count: Callable[..., int], rebuild: Callable[..., object]) -> None:
    """Called from an app's ready(): core knows nothing of the apps above it. Idempotent."""
    DERIVED_INDEXES[label] = DerivedIndex(label=label, count=count, rebuild=rebuild)


@dataclass(frozen=True)
class EncryptedFiles:
    """Encrypted files kept by an app above core (case evidence), re-encrypted by `rotate_encryption_keys`.

    `count(using)` gives the rows to go through; `rotate(using=, batch_size=, on_batch=)` re-encrypts every file not
    under the first key yet and returns a `Progress`.
    """

    label: str
    count: Callable[..., int]
    rotate: Callable[..., Progress]


ENCRYPTED_FILES: dict[str, EncryptedFiles] = {}


def register_encrypted_files(label: str, *, count: Callable[..., int], rotate: Callable[..., Progress]) -> None:
    """Called from an app's ready(), like `register_derived_index`. Idempotent."""
    ENCRYPTED_FILES[label] = EncryptedFiles(label=label, count=count, rotate=rotate)
