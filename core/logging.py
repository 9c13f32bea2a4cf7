"""Keep personal data out of logs and error reports.

Three layers, installed by `config/settings/base.py` (LOGGING, DEFAULT_EXCEPTION_REPORTER and _FILTER):

1. `RedactPersonalDataFilter` on every log handler formats each record once, then removes
   - any value of a victim's or reporter's identifying fields that this process has loaded recently (names,
     names used in the compound, passport, phone numbers, messaging handles, locations), remembered in memory
     only by `remember_personal_values` (wired to `post_init`, see `watch_personal_fields`);
   - things shaped like secrets whatever their origin: phone numbers, passport-like numbers, email addresses,
     `@handles`, and `password=` / `token=` / `key=` style assignments;
   from the message, its arguments and any traceback text.
2. `NoPersonalDataExceptionReporterFilter` hides every POST value, every local variable in tracebacks and
   every secret-looking setting in error reports (emails to ADMINS, and the debug page if DEBUG were on).
3. `NoPersonalDataExceptionReporter` also hides GET parameters, cookies and uploaded file names.

Log lines should carry case numbers and ids only; this is the safety net for the line that forgets.
"""

import logging
import re
import threading
from collections import OrderedDict

from django.views.debug import ExceptionReporter, SafeExceptionReporterFilter

REDACTED = "[redacted]"

# Fields remembered for redaction: every field marked `secret = True` (core.fields.SecretTextField), and
# these plain fields on a model that has secret fields (a victim's full name, a reporter's name).
IDENTIFYING_PLAIN_FIELDS = frozenset({"full_name", "name"})
MIN_REMEMBERED_LENGTH = 4  # shorter values would redact ordinary words
MAX_REMEMBERED_LENGTH = 300  # longer values (note bodies) are not looked for verbatim
REMEMBERED_VALUES_LIMIT = 5000

_PATTERNS = [
    # key=value / key: value assignments of secrets
    re.compile(
        r"(?i)\b(password|passwd|secret|token|otp_token|api[_-]?key|sessionid|csrftoken|passport(?:_number)?|"
        r"phone(?:_numbers)?|messaging_handles|authorization)(['\"]?\s*[:=]\s*['\"]?)([^\s,'\"&;}]+)"
    ),
    re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"),  # email addresses
    re.compile(r"(?<![\w@])@[A-Za-z0-9_]{3,}"),  # messaging handles (@someone)
    # phone numbers: international (+66 81 234 5678), national (081-234-5678) or a long run of digits; not dates
    re.compile(r"(?<![\w+])\+\d[\d ()\-]{6,}\d(?!\w)"),
    re.compile(r"(?<![\w-])0\d{1,3}[ -]?\d{3}[ -]?\d{3,4}(?![\w-])"),
    re.compile(r"(?<![\w.:-])\d{9,15}(?![\w.:-])"),
    re.compile(r"\b[A-Z]{1,2}\d{6,9}\b"),  # passport-like numbers (C1234567, AB1234567)
]


class _RememberedValues:
    """Recently loaded identifying values, newest last; bounded, per process, in memory only."""

    def __init__(self, limit: int):
        self.limit = limit
        self._values: OrderedDict[str, None] = OrderedDict()
        self._lock = threading.Lock()

    def add(self, value: str) -> None:
        with self._lock:
            self._values[value] = None
            self._values.move_to_end(value)
            while len(self._values) > self.limit:
                self._values.popitem(last=False)

    def snapshot(self) -> list[str]:
        with self._lock:
            # Longest first, so "Mai Thi Lan" is removed before a shorter value that is part of it.
            return sorted(self._values, key=len, reverse=True)

    def clear(self) -> None:
        with self._lock:
            self._values.clear()


remembered = _RememberedValues(REMEMBERED_VALUES_LIMIT)


def _candidate_values(value) -> list[str]:
    if not isinstance(value, str):
        return []
    candidates = [value.strip(), *(line.strip() for line in value.splitlines())]
    return [c for c in candidates if MIN_REMEMBERED_LENGTH <= len(c) <= MAX_REMEMBERED_LENGTH]


def remember_personal_values(instance, field_names) -> None:
    for name in field_names:
        for candidate in _candidate_values(instance.__dict__.get(name)):
            remembered.add(candidate)


def watched_field_names(model) -> tuple[str, ...]:
    """The identifying fields of a model (cached on its _meta), or () for models holding none."""
    cached = getattr(model._meta, "_homeward_personal_fields", None)
    if cached is not None:
        return cached
    concrete = model._meta.concrete_fields
    secret = [f.attname for f in concrete if getattr(f, "secret", False)]
    names = (*secret, *(f.attname for f in concrete if secret and f.name in IDENTIFYING_PLAIN_FIELDS))
    model._meta._homeward_personal_fields = tuple(names)
    return model._meta._homeward_personal_fields


def _on_post_init(sender, instance, **kwargs) -> None:
    fields = watched_field_names(sender)
    if fields:
        remember_personal_values(instance, fields)


def watch_personal_fields() -> None:
    """Remember identifying values whenever a model instance is built (loaded or created). Called once at start."""
    from django.db.models.signals import post_init

    post_init.connect(_on_post_init, dispatch_uid="homeward-log-redaction")


def redact(text: str) -> str:
    if not text:
        return text
    for value in remembered.snapshot():
        if value in text:
            text = text.replace(value, REDACTED)
    for pattern in _PATTERNS:
        if pattern.groups == 3:
            text = pattern.sub(lambda m: f"{m.group(1)}{m.group(2)}{REDACTED}", text)
        else:
            text = pattern.sub(REDACTED, text)
    return text


class RedactPersonalDataFilter(logging.Filter):
    """Rewrites each record so no handler sees personal data. Never drops a record."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "_homeward_redacted", False):
            return True
        try:
            message = record.getMessage()
        except Exception:  # a broken format string must not hide the record (or leak its args)
            message = str(record.msg)
        record.msg = redact(message)
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        record._homeward_redacted = True
        return True


class NoPersonalDataExceptionReporterFilter(SafeExceptionReporterFilter):
    """Error reports show where it failed, never with what: no POST values, no local variables."""

    def is_active(self, request) -> bool:
        return True  # also when DEBUG is on

    def get_post_parameters(self, request):
        if request is None:
            return {}
        return {key: self.cleansed_substitute for key in request.POST}

    def get_traceback_frame_variables(self, request, tb_frame):
        return [(name, self.cleansed_substitute) for name in tb_frame.f_locals]


class NoPersonalDataExceptionReporter(ExceptionReporter):
    """Django's reporter with GET values, cookies and file names hidden and the exception message redacted."""

    def get_traceback_data(self):
        data = super().get_traceback_data()
        substitute = self.filter.cleansed_substitute
        if self.request is not None:
            data["request_GET_items"] = [(key, substitute) for key in self.request.GET]
            data["request_FILES_items"] = [(key, substitute) for key in self.request.FILES]
            data["request_COOKIES_items"] = [(key, substitute) for key in self.request.COOKIES]
        if data.get("exception_value"):
            data["exception_value"] = redact(str(data["exception_value"]))
        for frame in data.get("frames", []):
            if frame.get("exc_cause") is not None:
                frame["exc_cause"] = redact(str(frame["exc_cause"]))
        return data


class NoTracebackForClientErrorsFilter(logging.Filter):
    """An ordinary 403 or 404 is one line ("Forbidden (Permission denied): /cases/7/"), not a traceback.

    Django's `django.request` logger attaches the exception to every 4xx it logs; only a 5xx is worth its trace.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if record.name == "django.request" and getattr(record, "status_code", 500) < 500:
            record.exc_info = None
            record.exc_text = None
        return True
