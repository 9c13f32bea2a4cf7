"""The case file's pages, one module per concept (victims here; intake, lists and places beside it)."""
