"""The bottom layer: crypto, secret columns, parsing, client address, logging filters. No case models."""
