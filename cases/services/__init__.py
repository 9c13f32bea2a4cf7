"""Every write to the case file. Views, admin saves and actions, commands and tasks call these, never `save()`.

Services take keyword-only arguments, validate (raising ValidationError in the user's terms), and run in a
transaction. Status transitions are enforced here, not by whoever saves a row. One module per concept:
`numbering` (case numbers, cadence), `victims`, `notes` (notes and reporters), `requests` (rescue requests),
`referrals`, `evidence` (files on a case); `rules` holds the transition tables.
"""

from .evidence import evidence_add, evidence_delete
from .notes import (
    REPORTER_FIELDS,
    case_note_add,
    case_note_correct,
    reporter_add,
    reporter_remove,
    reporter_update,
)
from .numbering import allocate_case_number, next_follow_up
from .referrals import (
    check_referral_consent,
    referral_create,
    referral_record_response,
    referral_send,
    referral_update,
    referral_withdraw,
)
from .requests import (
    rescue_request_assign,
    rescue_request_change_priority,
    rescue_request_close,
    rescue_request_log_update,
    rescue_request_open,
)
from .rules import REFERRAL_RESPONSES, REQUEST_CLOSING_STATUSES, VICTIM_TRANSITIONS
from .victims import EDITABLE_VICTIM_FIELDS, victim_assign, victim_change_status, victim_create, victim_update

__all__ = [
    "EDITABLE_VICTIM_FIELDS",
    "REFERRAL_RESPONSES",
    "REPORTER_FIELDS",
    "REQUEST_CLOSING_STATUSES",
    "VICTIM_TRANSITIONS",
    "allocate_case_number",
    "case_note_add",
    "case_note_correct",
    "check_referral_consent",
    "evidence_add",
    "evidence_delete",
    "next_follow_up",
    "referral_create",
    "referral_record_response",
    "referral_send",
    "referral_update",
    "referral_withdraw",
    "reporter_add",
    "reporter_remove",
    "reporter_update",
    "rescue_request_assign",
    "rescue_request_change_priority",
    "rescue_request_close",
    "rescue_request_log_update",
    "rescue_request_open",
    "victim_assign",
    "victim_change_status",
    "victim_create",
    "victim_update",
]
