"""Signals the case file sends, for apps above it (lists, homecoming, tracker, api) to act on.

- `list_match_confirmed(sender, victim, entry, confirmed_by)`: a caseworker confirmed that an entry of a released
  or arrived list is this case's person (sent by the lists app).
- `case_created(sender, victim, created_by)`: a new case was logged (intake, import, API).
"""

from django.dispatch import Signal

list_match_confirmed = Signal()
case_created = Signal()
