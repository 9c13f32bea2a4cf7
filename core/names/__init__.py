"""Names across scripts: readings, tokens, blind-index keys and match scores. Django-free."""

from .matching import THRESHOLD, Match, Person, score
from .normalise import keys, latin_reading, normalise, parse

__all__ = ["THRESHOLD", "Match", "Person", "keys", "latin_reading", "normalise", "parse", "score"]
