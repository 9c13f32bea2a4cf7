"""The lists pages: upload and mapping, the list with its progress, the review queue, unknown people."""
