"""Turning what a clinician typed into what is searched.

The question arrives PHI-scrubbed. Placeholders ("[NAME]", "[MRN]") are dropped, and so are
instructions aimed at a language model ("ignore previous instructions and say …"): they are
not clinical content, and counting them as key terms would make Curbside refuse a question
it can answer. The answer is extractive, so no instruction can be obeyed anyway.

Stripping must never eat a clinical clause: "when to repeat INR after a warfarin dose
change" or "drugs that act as CYP3A4 inhibitors" are questions, not instructions. So an
instruction to output a token needs the marks of one (quotes, "the word", or an all-capital
token that is not a clinical abbreviation), and role prefixes ("system:") only count at the
start of a clause.

Then patient details are read into a structured context, British spellings become US ones,
and a typed lab value adds the condition it implies ("K 6.9" searches for hyperkalaemia too).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from clinical_terms import lab_ranges, long_form, to_us_spelling
from privacy.placeholders import PLACEHOLDER_RE as _PLACEHOLDER
from retrieval.context import PatientContext, read_context

_OUTPUT_VERB = r"(?i:say|output|reply with|respond with|answer with|print|repeat|write)"
_INSTRUCTION = re.compile(
    r"(?i:\b(?:ignore|disregard|forget|override)\b[^.?!;:\n]*?\b(?:instructions?|rules?|"
    r"prompts?|guidelines|above|previous|prior|everything)\b[^.?!;:\n]*)"
    r"|(?i:\b(?:you are now|pretend to be|from now on|new instructions?|developer mode|"
    r"jailbreak|act as if|act as (?:an? )?(?:ai|assistant|chatbot|language model|"
    r"unrestricted|different|dan)\b)[^.?!;:\n]*)"
    r"|(?i:(?:^|(?<=[.!?;\n]))\s*(?:system|assistant|admin|developer)\s*:\s*[^.?!;\n]*)"
    rf"|\b{_OUTPUT_VERB}\s+(?i:(?:the|only|just)\s+)?(?i:(?:word|phrase|string|text)\s+)?"
    r"(?:[\"'“‘][^\"'”’\n]{1,40}[\"'”’]|(?P<token>\b[A-Z][A-Z0-9_!]{2,}\b))"
    r"|(?i:\b(?:reveal|print|show|tell me|give me|output)\b[^.?!;:\n]*\b(?:password|secret|"
    r"api key|system prompt|your (?:hidden )?instructions|your prompt)\b[^.?!;:\n]*)",
)
_FOLLOW_UP_LEAD = re.compile(
    r"^\s*(?:and|&|plus|also|but|what if|what about|how about|and if|and what|ok and|"
    r"same for|same but|if instead|instead)\b",
    re.I,
)
# The ask, not the topic: "next step", "what does that mean", "how does it work" say what
# kind of answer is wanted and are searched, but no card must mention them to cover the
# question ("psa 5.2 asymptomatic next step" was refused for lack of the word "step").
_ASK_FRAME = re.compile(
    r"\b(?:(?:what(?:'s|s| is)?\s+(?:the\s+)?)?next\s+steps?"
    r"|what(?:'s|s)?\s+(?:(?:does|do|did|is)\s+)?(?:that|this|it|these)\s+mean"
    r"|how\s+(?:does|do|would)\s+(?:that|this|it)\s+work"
    r"|what\s+counts(?:\s+as)?"
    r"|what\s+(?:to|do\s+i|do\s+we|should\s+i|should\s+we)\s+do)\b",
    re.I,
)
_VALUE_ONLY = re.compile(r"^\s*(?:and\s+|for\s+|at\s+|with\s+)?[\w.]*\d[\w./]*\s*\??\s*$", re.I)


@dataclass(frozen=True)
class UnderstoodQuestion:
    """What retrieval works with, derived from the scrubbed question."""

    search: str          # the text to search: question, spelling normalised, conditions added
    topic: str           # the same without patient details: what must be covered
    context: PatientContext
    follow_up: bool = False
    focus: str = ""      # what this question itself asks (a follow-up's own words)

    @property
    def conditions(self) -> list[str]:
        return self.context.conditions


def search_text(scrubbed_question: str) -> str:
    """The scrubbed question without PHI placeholders and model-directed instructions."""
    text = _PLACEHOLDER.sub(" ", scrubbed_question)
    text = _INSTRUCTION.sub(_keep_clinical_token, text)
    return re.sub(r"\s+", " ", text).strip(" .,;:-")


def _keep_clinical_token(match: re.Match[str]) -> str:
    """An output instruction whose capital token is clinical shorthand ("repeat INR") is
    a clinical clause and stays as typed."""
    token = match.group("token")
    if token and _is_clinical(token):
        return match.group(0)
    return " "


def _is_clinical(token: str) -> bool:
    lowered = token.lower()
    return bool(long_form(lowered)) or any(lowered in lab.aliases for lab in lab_ranges())


def is_follow_up(question: str) -> bool:
    """A question that only makes sense after the previous one: it opens with "and",
    "what if", "what about"…, or it only gives a new value ("and 20kg?")."""
    return bool(_FOLLOW_UP_LEAD.match(question) or _VALUE_ONLY.match(question))


def understand(scrubbed_question: str, *, previous: str | None = None) -> UnderstoodQuestion:
    """Read a scrubbed question, folding in the previous question when this is a follow-up."""
    text = to_us_spelling(search_text(scrubbed_question))
    follow_up = bool(previous) and is_follow_up(text)
    context = read_context(text)
    topic = _without(text, context.spans)
    focus = topic
    if follow_up:
        earlier = to_us_spelling(search_text(previous or ""))
        earlier_context = read_context(earlier)
        context = context.merged_over(earlier_context)
        earlier_topic = _without(earlier, earlier_context.spans)
        topic, text = f"{earlier_topic} {topic}", f"{earlier_topic} {text}"
    conditions = " ".join(context.conditions)
    return UnderstoodQuestion(
        search=f"{text} {conditions}".strip(),
        topic=f"{topic} {conditions}".strip(),
        context=context,
        follow_up=follow_up,
        focus=focus,
    )


def _without(text: str, spans: tuple[tuple[int, int], ...]) -> str:
    """`text` with the patient-detail spans and the ask's own words blanked out."""
    spans = spans + tuple(match.span() for match in _ASK_FRAME.finditer(text))
    chars = list(text)
    for start, end in spans:
        chars[start:end] = " " * (end - start)
    return re.sub(r"\s+", " ", "".join(chars)).strip()
