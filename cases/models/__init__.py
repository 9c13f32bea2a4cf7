"""The case file: victims, who reported them, their notes and evidence, rescue requests and referrals."""

from ..name_index import NameKey  # the name index lives with its lookups
from .base import StaleRecordError
from .evidence import Evidence
from .history import CaseNote, VictimStatusChange
from .reporters import Reporter
from .requests import AgencyReferral, RescueRequest
from .victims import CaseNumberSequence, Victim

__all__ = [
    "AgencyReferral",
    "CaseNote",
    "CaseNumberSequence",
    "Evidence",
    "NameKey",
    "RescueRequest",
    "Reporter",
    "StaleRecordError",
    "Victim",
    "VictimStatusChange",
]
