"""Homecoming's models: screening (`screening`), batches and their members (`batches`), manifest PDFs (`exports`),
after return (`returns`)."""

from .batches import BatchMember, RepatriationBatch, StepRecord
from .exports import ManifestExport
from .returns import ListSighting, RetraffickingFlag, ReturnFollowUp, ReturnSettings
from .screening import Screening

__all__ = [
    "BatchMember",
    "ListSighting",
    "ManifestExport",
    "RepatriationBatch",
    "RetraffickingFlag",
    "ReturnFollowUp",
    "ReturnSettings",
    "Screening",
    "StepRecord",
]
