"""Shared reference data: border regions, crossings, compounds, agencies, and the HTCDS code lists."""
