"""Homecoming: screening, repatriation batches, the manifest, the return and the follow-ups after it."""
