"""The case file: places (shared reference data), victims and what is done for them."""

from .audit import AuditEntry
from .base import StaleRecordError
from .codes import FORCED_CRIMINALITY
from .exports import AppendOnlyError, DataAccessLog
from .fields import SecretTextField, secret_field_names
from .places import Agency, BorderRegion, Compound, Crossing
from .requests import AgencyReferral, RescueRequest
from .victims import CaseNote, CaseNumberSequence, Reporter, Victim, VictimStatusChange

__all__ = [
    "FORCED_CRIMINALITY",
    "Agency",
    "AgencyReferral",
    "AppendOnlyError",
    "AuditEntry",
    "BorderRegion",
    "CaseNote",
    "CaseNumberSequence",
    "Compound",
    "Crossing",
    "DataAccessLog",
    "RescueRequest",
    "Reporter",
    "SecretTextField",
    "StaleRecordError",
    "Victim",
    "VictimStatusChange",
    "secret_field_names",
]
