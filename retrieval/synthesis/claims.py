"""A draft split into claims, with the passage ids each one cites.

A claim is one sentence (or one list item) of the draft. The splitter works on a growing
stream: a sentence is released only once the text after it shows it has ended, so the
guard can verify and show it while the model is still writing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from prompts import NOT_COVERED
from retrieval.text import split_sentences

# [P1], [P1, P3], (P2), [p1][p2]; a bare [1] means P1 to a model that dropped the letter
# (in parentheses a bare number is text: "grade (2)").
_IDS = r"(?:P?\d+\s*(?:[,;]|and)?\s*)+"
_CITE = re.compile(rf"\s*(?:\[\s*({_IDS})\]|\(\s*((?:P\d+\s*(?:[,;]|and)?\s*)+)\))", re.I)
_ID = re.compile(r"P?(\d+)", re.I)
_BULLET = re.compile(r"^\s*(?:[-*•]|\d+[.)])\s+")
_LEAD_MARKS = re.compile(r"^(?:\s*[\[(]\s*P?\d+(?:\s*[,;]\s*P?\d+)*\s*[\])])+\s*", re.I)
_SENTINEL = re.compile(r"\W+".join(NOT_COVERED.split()), re.I)


@dataclass
class Claim:
    """One sentence of the draft: its text without markers and the ids it cited."""

    text: str
    cited: list[str] = field(default_factory=list)


def says_not_covered(text: str) -> bool:
    """The model used the sentinel (in any case or spacing): it found no answer."""
    return bool(_SENTINEL.search(text))


def parse_claim(raw: str) -> Claim | None:
    """Markers out, ids kept; list bullets and markdown emphasis dropped."""
    cited: list[str] = []
    for match in _CITE.finditer(raw):
        cited += [f"P{n}" for n in _ID.findall(match.group(1) or match.group(2))]
    text = _CITE.sub("", raw)
    text = _BULLET.sub("", text).replace("**", "").replace("__", "")
    text = " ".join(text.split()).strip()
    if not re.search(r"[A-Za-z]{2}", text):
        return None  # a stray marker, a number alone, a heading rule
    return Claim(text=text, cited=list(dict.fromkeys(cited)))


class ClaimStream:
    """Feed text pieces; take out complete claims as soon as they are known to be complete."""

    def __init__(self) -> None:
        self._buffer = ""

    def feed(self, piece: str) -> list[Claim]:
        self._buffer += piece
        done: list[Claim] = []
        # Lines end claims (list items); within the last line, all but the last sentence.
        *lines, self._buffer = self._buffer.split("\n")
        for line in lines:
            done += _claims(line)
        # Spacing normalised as `split_sentences` does, but the trailing space is kept: the
        # next piece may start a new word ("Nebulized " + "epinephrine").
        text = re.sub(r"\s+", " ", self._buffer).lstrip()
        sentences = split_sentences(text)
        if len(sentences) > 1:
            tail = text[text.rfind(sentences[-1]):]
            lead = _LEAD_MARKS.match(tail)
            rest = tail[lead.end():] if lead else tail
            if not re.search(r"[A-Za-z]{2}", rest):
                return done  # only markers (maybe half written) follow: wait for more
            # The last sentence may still grow: keep it buffered; markers written after
            # the previous full stop ("… 10 mg. [P2] Next") belong to that sentence.
            finished = sentences[:-1]
            if lead:
                finished[-1] += " " + lead.group(0)
            self._buffer = rest
            done += [c for s in _attach_markers(finished) if (c := parse_claim(s))]
        return done

    def close(self) -> list[Claim]:
        rest, self._buffer = self._buffer, ""
        return _claims(rest)


def split_claims(draft: str) -> list[Claim]:
    """All claims of a finished draft (the same split the stream makes)."""
    stream = ClaimStream()
    return stream.feed(draft) + stream.close()


def _claims(line: str) -> list[Claim]:
    return [c for s in _attach_markers(split_sentences(line)) if (c := parse_claim(s))]


def _attach_markers(sentences: list[str]) -> list[str]:
    """A marker written after the full stop ("… 10 mg. [P2] Next …") splits as the start
    of the next sentence; move it back to the sentence it belongs to."""
    out: list[str] = []
    for sentence in sentences:
        lead = _LEAD_MARKS.match(sentence)
        if lead and out:
            out[-1] += " " + lead.group(0)
            sentence = sentence[lead.end():]
        if sentence:
            out.append(sentence)
    return out
