"""Names across scripts: readings, tokens, blind-index keys and match scores. Django-free."""

from .matching import THRESHOLD, Match, Person, best_possible, score
from .normalise import keys, latin_reading, normalise, parse

__all__ = ["THRESHOLD", "Match", "Person", "best_possible", "keys", "latin_reading", "normalise", "parse", "score"]
