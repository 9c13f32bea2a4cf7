"""The due-item sweeps: follow-up reminders, escalations to supervisors and referral chases.

Each sweep reads what is due from the database, turns it into outbox rows with a dedupe key, and inserts the
new ones. Running a sweep twice, or two at once, adds nothing the first did not: the key decides. Queries are
batched per chunk of due rows, never per row. One module per sweep; what they share is in `common`.
"""

from .common import (
    CHUNK,
    Planned,
    SweepResult,
    Team,
    _due_requests,
    chunks,
    key_time,
    reminder_round,
)
from .escalations import should_escalate, sweep_escalations
from .referrals import sweep_referral_chases
from .reminders import sweep_reminders

__all__ = [
    "CHUNK",
    "Planned",
    "SweepResult",
    "Team",
    "_due_requests",
    "chunks",
    "key_time",
    "reminder_round",
    "should_escalate",
    "sweep_escalations",
    "sweep_referral_chases",
    "sweep_reminders",
]
