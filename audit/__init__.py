"""The audit trail (changes and reads), the refused-access log's reader and the data-access (export) log."""
