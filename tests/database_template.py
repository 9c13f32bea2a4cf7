"""The migrated test database, built once per migration state and copied into each test process.

Migrating an empty database costs 10-35 s on SQLite and about 48 s on PostgreSQL, and every test process (each
xdist worker, each CI pass) used to pay it. Instead, the first process to need a given migration state migrates its
test database as before (Django's own `setup_databases`) and keeps a copy of it, the template; every later process
copies the template into its own test database and then runs the same `setup_databases` with `keepdb`, so Django
still checks that every migration is applied (it applies any missing one), sends `post_migrate` (content types,
permissions) and makes the cache table. The database a test sees is the one a fresh migration makes.

- SQLite: the template is a file under var/test-templates/ named by the key, copied with SQLite's backup API (the
  test databases run in WAL mode, so a plain file copy could miss pages).
- PostgreSQL: the template is a database `<test database>_tpl_<key>`, copied with `CREATE DATABASE ... TEMPLATE`.
  Older templates of the same test database are dropped when a new one is made.

The key is a hash of what decides the migrated database: Django's version, the engine, INSTALLED_APPS, the keys
the data migrations encrypt and index with, every migration file of every installed app, the project modules a
project migration imports (e.g. core/fields.py, places/reference_data.py) and the files under those apps'
reference/ folders (places/reference/*.csv, which `migrate` loads). A process that needs a template another is
building waits for it (a lock file in var/test-templates/). `--create-db` builds the template again;
`HOMEWARD_TEST_DB_TEMPLATE=off` migrates in every process, as before. tests/core/test_migrations.py still migrates
its own database backwards and forwards: it runs against the test database, whichever way that was made.
"""

import fcntl
import hashlib
import os
import re
import sqlite3
from contextlib import contextmanager
from pathlib import Path

import django
from django.apps import apps
from django.conf import settings
from django.db import connections

_IMPORT = re.compile(r"^\s*(?:from\s+([\w.]+)\s+import|import\s+([\w.]+))", re.MULTILINE)


def enabled() -> bool:
    return os.environ.get("HOMEWARD_TEST_DB_TEMPLATE", "on").lower() not in {"off", "0", "no", "false"}


def _migration_dirs() -> list[Path]:
    from django.db.migrations.loader import MigrationLoader

    dirs = []
    for app_config in apps.get_app_configs():
        module_name, _ = MigrationLoader.migrations_module(app_config.label)
        if module_name is None:
            continue
        try:
            module = __import__(module_name, fromlist=["__name__"])
        except ImportError:
            continue
        for path in getattr(module, "__path__", []):
            dirs.append(Path(path))
    return sorted(set(dirs))


def _project_module_file(module_name: str) -> Path | None:
    """The source file of a project module (one under BASE_DIR, not in the venv), or None."""
    base = Path(settings.BASE_DIR)
    parts = module_name.split(".")
    for candidate in (base.joinpath(*parts).with_suffix(".py"), base.joinpath(*parts, "__init__.py")):
        if candidate.is_file() and ".venv" not in candidate.parts:
            return candidate
    return None


def template_key(alias: str = "default") -> str:
    db = connections[alias].settings_dict
    digest = hashlib.sha256()
    for part in (
        django.get_version(),
        db["ENGINE"],
        *settings.INSTALLED_APPS,
        *settings.FIELD_ENCRYPTION_KEYS,
        settings.BLIND_INDEX_KEY,
    ):
        digest.update(str(part).encode() + b"\0")
    imported: set[Path] = set()
    for directory in _migration_dirs():
        for path in sorted(directory.glob("*.py")):
            text = path.read_bytes()
            digest.update(str(path.relative_to(directory.parent.parent)).encode() + b"\0" + text + b"\0")
            if ".venv" not in path.parts and "site-packages" not in path.parts:
                for from_name, import_name in _IMPORT.findall(text.decode(errors="replace")):
                    found = _project_module_file(from_name or import_name)
                    if found is not None:
                        imported.add(found)
    for module in list(imported):  # the data files a loader reads, e.g. places/reference/*.csv
        data_dir = Path(settings.BASE_DIR) / module.relative_to(settings.BASE_DIR).parts[0] / "reference"
        imported.update(path for path in data_dir.rglob("*") if path.is_file())
    for path in sorted(imported):
        digest.update(str(path.relative_to(settings.BASE_DIR)).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:16]


def _templates_dir() -> Path:
    directory = Path(settings.VAR_DIR) / "test-templates"
    directory.mkdir(parents=True, exist_ok=True)
    return directory


@contextmanager
def _lock(name: str):
    with open(_templates_dir() / f"{name}.lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


# --- SQLite ----------------------------------------------------------------------------------------------------------


def _sqlite_copy(source: Path, target: Path) -> None:
    """A consistent copy of one SQLite database file into another path (written aside, then moved into place)."""
    partial = target.with_name(target.name + ".partial")
    for stale in (partial, target, Path(f"{target}-wal"), Path(f"{target}-shm")):
        stale.unlink(missing_ok=True)
    with sqlite3.connect(source) as src, sqlite3.connect(partial) as dst:
        src.backup(dst)
    dst.close()
    src.close()
    os.replace(partial, target)


class SQLiteTemplate:
    def __init__(self, alias: str, key: str):
        self.connection = connections[alias]
        self.key = key
        self.path = _templates_dir() / f"sqlite-{key}.sqlite3"

    def exists(self) -> bool:
        return self.path.is_file()

    def copy_into_test_database(self) -> None:
        _sqlite_copy(self.path, Path(self.connection.creation._get_test_db_name()))

    def save_from_test_database(self) -> None:
        self.connection.close()
        _sqlite_copy(Path(self.connection.settings_dict["NAME"]), self.path)
        for old in _templates_dir().glob("sqlite-*.sqlite3"):
            if old != self.path:
                old.unlink(missing_ok=True)


# --- PostgreSQL ------------------------------------------------------------------------------------------------------


class PostgresTemplate:
    def __init__(self, alias: str, key: str):
        self.connection = connections[alias]
        self.key = key
        self.test_name = self.connection.creation._get_test_db_name()
        # xdist workers' databases end in _gw0, _gw1 ...; they share one template.
        self.base = re.sub(r"_gw\d+$", "", self.test_name)
        self.name = f"{self.base[:40]}_tpl_{key}"

    def _execute(self, *statements: str) -> list:
        rows = []
        with self.connection.creation._nodb_cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)
                if cursor.description is not None:
                    rows.extend(cursor.fetchall())
        return rows

    def exists(self) -> bool:
        quoted = self.name.replace("'", "''")
        return bool(self._execute(f"SELECT 1 FROM pg_database WHERE datname = '{quoted}'"))  # noqa: S608

    def copy_into_test_database(self) -> None:
        quote = self.connection.ops.quote_name
        self._execute(
            f"DROP DATABASE IF EXISTS {quote(self.test_name)}",
            f"CREATE DATABASE {quote(self.test_name)} TEMPLATE {quote(self.name)}",
        )

    def save_from_test_database(self) -> None:
        quote = self.connection.ops.quote_name
        connections.close_all()  # CREATE DATABASE ... TEMPLATE needs the source to have no other session
        self._execute(
            f"DROP DATABASE IF EXISTS {quote(self.name)}",
            f"CREATE DATABASE {quote(self.name)} TEMPLATE {quote(self.test_name)}",
        )
        prefix = f"{self.base[:40]}_tpl_".replace("_", r"\_")
        for (old,) in self._execute(f"SELECT datname FROM pg_database WHERE datname LIKE '{prefix}%'"):  # noqa: S608
            if old != self.name:
                try:
                    self._execute(f"DROP DATABASE IF EXISTS {quote(old)}")
                except Exception:  # noqa: BLE001, S110 - in use by another run: it is dropped next time
                    pass


def template_for(alias: str):
    engine = connections[alias].settings_dict["ENGINE"]
    if engine == "django.db.backends.sqlite3" and not connections[alias].is_in_memory_db():
        return SQLiteTemplate
    if engine == "django.db.backends.postgresql":
        return PostgresTemplate
    return None


def setup_databases(*, verbosity: int, aliases: set[str], serialized_aliases: set[str], rebuild_before: float | None):
    """Django's `setup_databases`, with the default database copied from (or saved as) the template.

    `rebuild_before` (a time.time()): a template saved before then is built again (`--create-db`; the xdist workers
    of one run build it once between them).
    """
    from django.test.utils import setup_databases as django_setup_databases

    kind = template_for("default") if enabled() and set(aliases) <= {"default"} else None
    arguments = {"verbosity": verbosity, "interactive": False, "aliases": aliases}
    arguments["serialized_aliases"] = serialized_aliases
    if kind is None:
        return django_setup_databases(**arguments)
    key = template_key("default")
    with _lock(f"{kind.__name__}-{key}"):
        template = kind("default", key)
        built = _templates_dir() / f"{kind.__name__}-{key}.built"
        fresh = built.exists() and (rebuild_before is None or built.stat().st_mtime >= rebuild_before)
        if fresh and template.exists():
            template.copy_into_test_database()
            return django_setup_databases(keepdb=True, **arguments)
        built.unlink(missing_ok=True)
        config = django_setup_databases(**arguments)
        template.save_from_test_database()
        built.touch()
        return config


def end_other_sessions(alias: str = "default") -> None:
    """On PostgreSQL, end the sessions other processes still hold on the test database, so that it can be dropped.

    The tests' worker processes are ended with SIGKILL; the server may not have noticed every one of them yet.
    """
    connection = connections[alias]
    if connection.vendor != "postgresql":
        return
    name = connection.settings_dict["NAME"]
    with connection.creation._nodb_cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
            [name],
        )
