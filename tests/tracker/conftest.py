"""Fixtures for the follow-up engine: bulk caseloads and a real SMTP server on a loopback port."""

import asyncio
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller

from cases.models import RescueRequest, Victim

BASE_DIR = Path(__file__).resolve().parents[2]
NOW = datetime(2026, 3, 11, 10, 0, tzinfo=UTC)  # a Wednesday


@pytest.fixture
def now() -> datetime:
    return NOW


def bulk_caseload(
    *, organization, assigned_to, count: int, due_at, priority: str = "normal", start: int = 1, opened_at=None
) -> list[RescueRequest]:
    """`count` synthetic cases, each with one open request due at `due_at`, inserted in bulk for volume tests."""
    opened_at = opened_at or due_at - timedelta(days=30)
    victims = Victim.objects.bulk_create(
        [
            Victim(
                organization=organization,
                case_number=f"{organization.case_number_prefix}-2026-{start + i:05d}",
                full_name=f"Synthetic Person {start + i}",
                passport_number=f"SYNPASS{start + i:07d}",
                phone_numbers=f"+000 555 {start + i:04d}",
                assigned_to=assigned_to,
                created_at=opened_at,
            )
            for i in range(count)
        ]
    )
    return RescueRequest.objects.bulk_create(
        [
            RescueRequest(
                organization=organization,
                victim=victim,
                priority=priority,
                assigned_to=assigned_to,
                opened_at=opened_at,
                last_update_at=opened_at,
                next_follow_up_at=due_at,
            )
            for victim in victims
        ]
    )


# --- A real SMTP server ----------------------------------------------------------------------------


@dataclass
class Received:
    """One message the SMTP server accepted (answered 250 to)."""

    mail_from: str
    rcpt_tos: list[str]
    raw: bytes

    @property
    def message(self) -> EmailMessage:
        return message_from_bytes(self.raw, policy=policy.default)

    @property
    def subject(self) -> str:
        return str(self.message["Subject"])

    @property
    def text(self) -> str:
        return self.message.get_body(preferencelist=("plain",)).get_content()

    @property
    def html(self) -> str:
        body = self.message.get_body(preferencelist=("html",))
        return body.get_content() if body is not None else ""


class SmtpSink:
    """aiosmtpd handler: records accepted mail; can refuse recipients or data, or stall one DATA command."""

    def __init__(self):
        self.received: list[Received] = []
        self.refuse_rcpt: dict[str, str] = {}  # address -> SMTP reply, e.g. "550 5.1.1 No such user"
        self.refuse_data: str | None = None  # e.g. "451 4.3.0 Try again later"
        self.stall_next_data = threading.Event()  # set: the next DATA never gets an answer
        self.data_stalled = threading.Event()  # set by the server when it is stalling a DATA
        self.attempts = 0
        self._lock = threading.Lock()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse_rcpt:
            return self.refuse_rcpt[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        with self._lock:
            self.attempts += 1
        if self.refuse_data:
            return self.refuse_data
        if self.stall_next_data.is_set():
            self.stall_next_data.clear()
            self.data_stalled.set()
            await asyncio.sleep(3600)  # the client dies waiting; this message is never accepted
        with self._lock:
            self.received.append(Received(envelope.mail_from, list(envelope.rcpt_tos), envelope.content))
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[Received]:
        return [r for r in self.received if address in r.rcpt_tos]

    def wait_for(self, count: int, *, timeout: float = 30.0) -> list[Received]:
        """Wait until at least `count` messages arrived (for worker tests; polls the sink, not the clock)."""
        deadline = time.monotonic() + timeout
        while len(self.received) < count and time.monotonic() < deadline:
            time.sleep(0.05)
        return list(self.received)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp_server(settings):
    """A real SMTP server on a free loopback port, with Django's SMTP backend pointed at it."""
    sink = SmtpSink()
    port = free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 5
    sink.port = port
    sink.url = f"smtp://127.0.0.1:{port}"
    yield sink
    controller.stop()


SECRETS = ("Synthetic Person", "SYNPASS", "+000 555", "@synthetic_handle", "Test compound", "Mae Sot")


def assert_no_personal_data(received: Received) -> None:
    """No victim name, passport, phone, handle or place anywhere in the raw message."""
    raw = received.raw.decode("utf-8", errors="replace")
    everything = "\n".join([raw, received.subject, received.text, received.html])
    for secret in SECRETS:
        assert secret not in everything, f"{secret!r} leaked into an email"


# --- Real Celery workers ----------------------------------------------------------------------------


def database_url() -> str:
    """The URL of the database this test runs on, for a worker in another process."""
    from django.db import connection

    db = connection.settings_dict
    if db["ENGINE"] == "django.db.backends.sqlite3":
        assert "memory" not in str(db["NAME"]), "a worker process needs a database file"
        return f"sqlite:///{db['NAME']}"
    credentials = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{credentials}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def filesystem_broker(folder: Path) -> tuple[str, dict]:
    (folder / "out").mkdir(parents=True, exist_ok=True)
    (folder / "processed").mkdir(parents=True, exist_ok=True)
    options = {
        "data_folder_in": str(folder / "out"),
        "data_folder_out": str(folder / "out"),
        "processed_folder": str(folder / "processed"),
        "store_processed": False,
    }
    return "filesystem://", options


@contextmanager
def celery_publishing_to(broker_url: str, transport_options: dict | None = None) -> Iterator[None]:
    """Point this process's Celery app (which queues tasks) at a broker, and back afterwards."""
    from config.celery_app import app

    keys = ("broker_url", "broker_transport_options", "task_always_eager")
    saved = {key: app.conf.get(key) for key in keys}

    def reset_pools():
        if app._pool is not None:
            app._pool.force_close_all()
            app._pool = None
        app.amqp._producer_pool = None

    saved_env = os.environ.get("CELERY_BROKER_URL")
    os.environ["CELERY_BROKER_URL"] = broker_url  # Celery reads this variable before its own setting
    app.conf.update(
        broker_url=broker_url,
        broker_transport_options=transport_options or {"visibility_timeout": 3600},
        task_always_eager=False,
    )
    reset_pools()
    try:
        yield
    finally:
        reset_pools()
        app.conf.update(saved)
        if saved_env is None:
            os.environ.pop("CELERY_BROKER_URL", None)
        else:
            os.environ["CELERY_BROKER_URL"] = saved_env


_TASK_EVENT = re.compile(r"Task ([\w.]+)\[([0-9a-f-]+)\] (received|succeeded|failed|raised|retry)")
QUEUES = ("default", "sweeps", "email")


def queue_sizes(broker_url: str, transport_options: dict | None = None) -> dict[str, int]:
    """Messages waiting on each worker queue (not yet taken by a worker), read through kombu as Celery sends."""
    from kombu import Connection

    with Connection(broker_url, transport_options=transport_options or {}) as connection:
        channel = connection.default_channel
        return {queue: channel.queue_declare(queue=queue).message_count for queue in QUEUES}


class WorkerProcess:
    """`celery -A config worker` in a subprocess, on this test's database, broker and SMTP server."""

    def __init__(self, *, broker_url: str, smtp_url: str, var_dir: Path, beat: bool = False, extra_env=None):
        self.log_path = var_dir / f"worker-{time.monotonic_ns()}.log"
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings.dev",
            "DEBUG": "false",
            "DATABASE_URL": database_url(),
            "CELERY_BROKER_URL": broker_url,
            "REDIS_URL": broker_url if broker_url.startswith("redis") else "",
            "EMAIL_URL": smtp_url,
            "HOMEWARD_VAR_DIR": str(var_dir),
            "PYTHONUNBUFFERED": "1",
            **(extra_env or {}),
        }
        command = [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "--pool=solo",
            "--queues=default,sweeps,email",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            f"--hostname=tracker-test-{os.getpid()}-{time.monotonic_ns()}@localhost",
            "--loglevel=INFO",
        ]
        if beat:
            command += ["--beat", "--scheduler=django_celery_beat.schedulers:DatabaseScheduler"]
            command += [f"--schedule={var_dir / 'beat-schedule'}"]
        self.log = open(self.log_path, "wb")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(command, cwd=BASE_DIR, env=env, stdout=self.log, stderr=subprocess.STDOUT)

    def output(self) -> str:
        return self.log_path.read_text(errors="replace")

    def wait_until_ready(self, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if " ready." in self.output():
                return
            if self.process.poll() is not None:
                break
            time.sleep(0.1)
        raise AssertionError(f"the Celery worker did not start:\n{self.output()[-3000:]}")

    def tasks(self) -> list[tuple[str, str, str]]:
        """(task name, task id, event) for each task the worker logged as received, or as finished."""
        return _TASK_EVENT.findall(self.output())

    def wait_until_idle(self, broker_url: str, transport_options: dict | None = None, *, timeout: float = 45.0):
        """Wait until nothing is left on the broker's queues and every task the worker received has finished.

        Seen twice in a row, a quarter of a second apart: a message the worker has just taken off the broker is
        logged as received within milliseconds, so one poll could fall between the two.
        """
        deadline, idle_polls = time.monotonic() + timeout, 0
        while idle_polls < 2:
            if time.monotonic() > deadline:
                raise AssertionError(f"the Celery worker did not become idle:\n{self.output()[-3000:]}")
            events = self.tasks()
            running = {id for _, id, event in events if event == "received"}
            running -= {id for _, id, event in events if event != "received"}
            idle = not running and not any(queue_sizes(broker_url, transport_options).values())
            idle_polls = idle_polls + 1 if idle else 0
            time.sleep(0.25)

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.kill()
        self.log.close()


@pytest.fixture
def start_worker(tmp_path, smtp_server):
    """Start real worker processes; each is stopped (or was killed) when the test ends."""
    workers: list[WorkerProcess] = []

    def start(*, broker_url: str, beat: bool = False, extra_env: dict | None = None) -> WorkerProcess:
        worker = WorkerProcess(
            broker_url=broker_url, smtp_url=smtp_server.url, var_dir=tmp_path, beat=beat, extra_env=extra_env
        )
        workers.append(worker)
        worker.wait_until_ready()
        return worker

    yield start
    for worker in workers:
        worker.stop()


class RedisServer:
    """This test's own redis-server on a free port (never the machine's shared one)."""

    def __init__(self, workdir: Path):
        self.port = free_port()
        self.workdir = workdir
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--daemonize",
                "no",
                "--dir",
                str(self.workdir),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", self.port)) == 0:
                    return
            time.sleep(0.05)
        raise AssertionError("redis-server did not start")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)


@pytest.fixture
def own_redis(tmp_path):
    if shutil.which("redis-server") is None:
        pytest.skip("redis-server is not installed")
    server = RedisServer(tmp_path)
    server.start()
    yield server
    server.stop()
