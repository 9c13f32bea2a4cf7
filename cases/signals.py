"""Signals the case file sends, for apps above it (lists, homecoming, tracker, api) to act on.

- `list_match_confirmed(sender, victim, entry, confirmed_by)`: a caseworker confirmed that an entry of a released
  or arrived list is this case's person (sent by the lists app).
- `case_created(sender, victim, created_by)`: a new case was logged (intake, import, API); sent by
  `cases.services.victim_create`, inside its transaction.
- `referral_sent(sender, referral)`: a referral went to its agency (`referral_send`): the api app emails the agency
  its response link.
- `referral_answered(sender, referral, via)`: an agency's answer was recorded (`referral_record_response`); `via`
  is "case_page", "api" or "agency_link".
- `requests_overdue(sender, requests, organization_ids, now)`: the reminder sweep (`tracker.sweeps.sweep_reminders`)
  found these open requests overdue (one chunk at a time, every run; receivers make each overdue episode count
  once). `requests` reads its model instances on first use: look at `organization_ids` first.
- `batch_member_departed(sender, member)`: a repatriation batch member was recorded as departed
  (`homecoming.services.member_record_steps`, inside its transaction).
"""

from django.dispatch import Signal

list_match_confirmed = Signal()
case_created = Signal()
referral_sent = Signal()
referral_answered = Signal()
requests_overdue = Signal()
batch_member_departed = Signal()
