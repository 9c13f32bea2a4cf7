from .access_log import AppendOnlyError, DataAccessLog
from .entries import MASK, AuditEntry

__all__ = ["MASK", "AppendOnlyError", "AuditEntry", "DataAccessLog"]
