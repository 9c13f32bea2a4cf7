"""The case file: places (shared reference data), victims and what is done for them."""

from .base import StaleRecordError
from .codes import FORCED_CRIMINALITY
from .fields import SecretTextField, secret_field_names
from .places import Agency, BorderRegion, Compound, Crossing
from .requests import AgencyReferral, RescueRequest
from .victims import CaseNote, CaseNumberSequence, Reporter, Victim, VictimStatusChange

__all__ = [
    "FORCED_CRIMINALITY",
    "Agency",
    "AgencyReferral",
    "BorderRegion",
    "CaseNote",
    "CaseNumberSequence",
    "Compound",
    "Crossing",
    "RescueRequest",
    "Reporter",
    "SecretTextField",
    "StaleRecordError",
    "Victim",
    "VictimStatusChange",
    "secret_field_names",
]
