"""`manage.py rotate_encryption_keys`: re-encrypt every secret column and encrypted file under the first key."""

from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections

from core import crypto, secret_columns


class ProgressBar:
    """A one-line progress bar on stderr; on a non-terminal (logs, CI) one line per tenth instead."""

    WIDTH = 30

    def __init__(self, stream, *, label: str, total: int, enabled: bool):
        self.stream, self.label, self.total, self.enabled = stream, label, total, enabled
        self.done = 0
        self.tty = enabled and stream.isatty()
        self._last_tenth = -1

    def advance(self, rows: int) -> None:
        self.done += rows
        if not self.enabled:
            return
        fraction = min(self.done / self.total, 1.0) if self.total else 1.0
        if not self.tty:
            tenth = int(fraction * 10)
            if tenth == self._last_tenth:
                return
            self._last_tenth = tenth
        filled = int(self.WIDTH * fraction)
        bar = "#" * filled + "." * (self.WIDTH - filled)
        line = f"{self.label:<24} [{bar}] {self.done}/{self.total} {fraction:4.0%}"
        if self.tty:
            self.stream.write("\r" + line, style_func=str, ending="")
        else:
            self.stream.write(line, style_func=str)

    def finish(self) -> None:
        if self.tty:
            self.stream.write("", style_func=str)


class Command(BaseCommand):
    help = (
        "Re-encrypt every secret column of every row, and every encrypted file (case evidence), under the first key "
        "in FIELD_ENCRYPTION_KEYS, in batches. "
        "Rows already under the first key are skipped, so an interrupted run is resumed by running it again. "
        "With --reindex, also rebuild the blind indexes (needed after changing BLIND_INDEX_KEY)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--batch-size",
            type=int,
            default=secret_columns.DEFAULT_BATCH_SIZE,
            help="Rows per batch; each batch is committed on its own (default %(default)s).",
        )
        parser.add_argument(
            "--reindex", action="store_true", help="Also recompute the blind indexes with the current BLIND_INDEX_KEY."
        )
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS, help="Database alias (default %(default)s).")

    def handle(self, *args, batch_size: int, reindex: bool, database: str, verbosity: int, **options):
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1.")
        connection = connections[database]
        try:
            crypto.encrypt("key check")  # malformed keys: one line now, not a traceback mid-run
            for table in secret_columns.secret_tables():
                bar = ProgressBar(self.stderr, label=table.label, total=table.count(connection), enabled=verbosity > 0)
                try:
                    progress = secret_columns.rotate_rows(
                        connection=connection, table=table, batch_size=batch_size, on_batch=bar.advance
                    )
                finally:
                    bar.finish()
                self._report(table.label, progress, verbosity, done="re-encrypted")
            for files in secret_columns.ENCRYPTED_FILES.values():
                bar = ProgressBar(
                    self.stderr, label=files.label, total=files.count(using=database), enabled=verbosity > 0
                )
                try:
                    progress = files.rotate(using=database, batch_size=batch_size, on_batch=bar.advance)
                finally:
                    bar.finish()
                self._report(files.label, progress, verbosity, done="re-encrypted")
            if reindex:
                for model in secret_columns.blind_index_models():
                    label = f"{model._meta.label} index"
                    total = model._base_manager.using(database).count()
                    bar = ProgressBar(self.stderr, label=label, total=total, enabled=verbosity > 0)
                    try:
                        progress = secret_columns.rebuild_blind_indexes(
                            model, using=database, batch_size=batch_size, on_batch=bar.advance
                        )
                    finally:
                        bar.finish()
                    self._report(label, progress, verbosity, done="reindexed")
                for index in secret_columns.DERIVED_INDEXES.values():
                    bar = ProgressBar(
                        self.stderr, label=index.label, total=index.count(using=database), enabled=verbosity > 0
                    )
                    try:
                        seen, written = index.rebuild(using=database, batch_size=batch_size, on_batch=bar.advance)
                    finally:
                        bar.finish()
                    if verbosity > 0:
                        self.stdout.write(f"{index.label}: {seen} rows, {written} keys written")
        except (crypto.DecryptionError, ImproperlyConfigured) as error:
            raise CommandError(str(error)) from None

    def _report(self, label: str, progress: secret_columns.Progress, verbosity: int, *, done: str) -> None:
        if verbosity < 1:
            return
        line = f"{label}: {progress.rows_seen} rows, {progress.rows_written} {done}"
        if progress.rows_changed_meanwhile:
            line += f", {progress.rows_changed_meanwhile} saved by someone meanwhile (already current)"
        self.stdout.write(line)
