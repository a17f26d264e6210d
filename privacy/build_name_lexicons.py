"""Rebuild the large name lexicons in ``privacy/lexicons/`` from public name lists.

Run from the repo root (a maintainer's tool, not used at run time):

    .venv/bin/pip install names gender-guesser wordfreq   # the ``lexicons`` extra
    apt-get install wamerican                             # /usr/share/dict/american-english
    .venv/bin/python -m privacy.build_name_lexicons

Why these sources: the scrubber needs to know "is this word a given name?" and "is this
word an ordinary English word?" for lower-case text with no cue ("maria gonzalez dob …").
None of them is Faker (which writes the synthetic evaluation set), so the lists are not
fitted to our own generator:

* given names: the 1990 US Census first-name files (package ``names``) and Jörg Michael's
  international given-name dictionary (package ``gender-guesser``: ~45,000 names from
  Europe, the Middle East and Asia, with diacritics);
* ordinary words: the lower-case entries of the SCOWL American-English word list (Debian's
  ``wamerican``; proper nouns there are capitalised, so "will" and "hope" are ordinary
  words while "john" is not), kept when wordfreq rates them at least rare-but-real;
* word surnames: 1990 Census surnames that are also ordinary words ("bell", "little",
  "cross"): after a known given name such a word is taken as a surname.

Outputs (one lower-case entry a line, with a header saying where it came from):
``given_names.txt`` (the scrubber sets aside those that are ordinary words unless its short
curated ``first_names.txt`` vouches for them), ``english_words.txt`` and
``word_surnames.txt``.
"""

from __future__ import annotations

import re
from importlib import resources
from pathlib import Path

from clinical_terms.lexicon import data_dir
from privacy.lexicons import LEXICON_DIR

DICT = Path("/usr/share/dict/american-english")
_ALPHA = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)?")
MIN_ZIPF = 2.0  # wordfreq: about once per 10 million words; rarer entries are dropped
SURNAME_RANK = 30000  # census surnames ranked below this are too rare to vouch for a word


def _ordinary_words() -> set[str]:
    from wordfreq import zipf_frequency

    out = set()
    for line in DICT.read_text("utf-8").splitlines():
        word = line.strip()
        if word.islower() and word.isalpha() and zipf_frequency(word, "en") >= MIN_ZIPF:
            out.add(word)
    return out


def _census(name: str) -> list[str]:
    text = resources.files("names").joinpath(name).read_text("utf-8")
    return [line.split()[0].lower() for line in text.splitlines() if line.strip()]


def _international_given() -> set[str]:
    text = resources.files("gender_guesser").joinpath("data/nam_dict.txt").read_text("utf-8")
    out = set()
    for line in text.splitlines():
        if not line or line[0] in "#=":
            continue
        name = line.split()[1]
        for variant in {name.replace("+", "-"), name.replace("+", "")}:
            if _ALPHA.fullmatch(variant):
                out.add(variant.lower())
    return out


def _write(name: str, header: str, entries: set[str], folder: Path = LEXICON_DIR) -> None:
    body = "\n".join(sorted(entries))
    (folder / f"{name}.txt").write_text(f"{header.strip()}\n{body}\n", "utf-8")
    print(f"{name}.txt: {len(entries)} entries")


def main() -> None:
    ordinary = _ordinary_words()
    given = set(_census("dist.female.first")) | set(_census("dist.male.first"))
    given |= _international_given()
    given = {g for g in given if len(g) >= 3}
    surnames = _census("dist.all.last")[:SURNAME_RANK]
    _write(
        "given_names",
        "# Given names, some of them also ordinary words ('hope'; built by\n"
        "# privacy/build_name_lexicons.py from the 1990 US Census first-name files and the\n"
        "# gender-guesser international name dictionary; not from Faker).",
        given,
    )
    _write(
        "ordinary_words",
        "# Ordinary English words: lower-case SCOWL (wamerican) entries seen in wordfreq\n"
        "# (built by privacy/build_name_lexicons.py; shared vocabulary, kept in clinical_terms).",
        ordinary,
        folder=data_dir(),
    )
    _write(
        "word_surnames",
        "# Common US surnames (1990 Census, top 30,000) that are also ordinary words: a\n"
        "# surname after a known given name ('ryan bell'), built by build_name_lexicons.py.",
        set(surnames) & ordinary,
    )


if __name__ == "__main__":
    main()
