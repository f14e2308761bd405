"""Shared, dependency-light NLU helpers: language detection, normalisation, entities,
the regex pattern stage and follow-up resolution. Never imports from `services/`."""

from libs.nlu.entities import extract_entities
from libs.nlu.followup import resolve_followup
from libs.nlu.lang import detect_language
from libs.nlu.patterns import match_patterns
from libs.nlu.text import fold, normalize

__all__ = [
    "detect_language",
    "extract_entities",
    "fold",
    "match_patterns",
    "normalize",
    "resolve_followup",
]
