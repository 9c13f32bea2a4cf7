"""Homecoming's models: screening (`screening`), batches and their members (`batches`), after return (`returns`)."""

from .batches import BatchMember, RepatriationBatch, StepRecord
from .returns import ListSighting, RetraffickingFlag, ReturnFollowUp, ReturnSettings
from .screening import Screening

__all__ = [
    "BatchMember",
    "ListSighting",
    "RepatriationBatch",
    "RetraffickingFlag",
    "ReturnFollowUp",
    "ReturnSettings",
    "Screening",
    "StepRecord",
]
