"""The case file's pages, one module per concept: the case list, the case page, editing, intake, lists and places."""
