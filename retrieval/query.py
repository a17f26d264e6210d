"""Turning what a clinician typed into what is searched.

The question arrives PHI-scrubbed; its placeholders ("[NAME]", "[MRN]") are dropped, and so
are instructions aimed at a language model ("ignore previous instructions and say …"):
they are not clinical content, and counting them as key terms would make Curbside refuse a
question it can answer. The answer is extractive, so no instruction can be obeyed anyway.
"""

from __future__ import annotations

import re

from privacy.placeholders import PLACEHOLDER_RE as _PLACEHOLDER

_INSTRUCTION = re.compile(
    r"(?:ignore|disregard|forget|override)\b[^.?!;:\n]*?\b(?:instructions?|rules?|prompts?|"
    r"guidelines|above|previous|prior|everything)\b[^.?!;:\n]*"
    r"|\b(?:you are now|act as|pretend to be|from now on|new instructions?|system prompt|"
    r"developer mode|jailbreak)\b[^.?!;:\n]*"
    r"|\b(?:system|assistant|admin)\s*:\s*[^.?!;\n]*"
    r"|\b(?:say|print|output|reply with|respond with|repeat|reveal|tell me)\b\s+"
    r"(?:the\s+)?(?:word\s+|phrase\s+)?[\"'“]?[A-Z0-9_!]{3,}[\"'”]?\b[^.?!;:\n]*"
    r"|\b(?:reveal|print|show|tell me)\b[^.?!;:\n]*\b(?:password|secret|api key|token|"
    r"system prompt|instructions)\b[^.?!;:\n]*",
    re.IGNORECASE,
)


def search_text(scrubbed_question: str) -> str:
    """The scrubbed question without PHI placeholders and model-directed instructions."""
    text = _PLACEHOLDER.sub(" ", scrubbed_question)
    text = _INSTRUCTION.sub(" ", text)
    return re.sub(r"\s+", " ", text).strip(" .,;:-") or scrubbed_question

