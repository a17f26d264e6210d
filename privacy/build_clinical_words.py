"""Rebuild ``privacy/lexicons/clinical_words.txt`` from the vetted content cards.

Run from the repo root after cards change (a maintainer's tool, not used at run time):

    .venv/bin/python -m privacy.build_clinical_words [CONTENT_DIR]

Why: the scrubber reads two unknown lower-case words ("subclin hypothyroidism", "non
purulent") as a foreign name, because no general word list knows them.  The cards are the
product's own clinical vocabulary, written by clinicians; a word they write in lower case
mid-sentence is a common noun, adjective or verb of medicine, so it never opens a name.
Words the cards only capitalise (eponyms, organisations) are left out, and so are known
given names ("ella" the brand, "gina" the guideline), so a patient called Ella is still found.
Front matter, links and URLs are skipped: their path segments are not vocabulary.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from privacy.lexicons import LEXICON_DIR, words

_WORD = re.compile(r"(?<![\w'’/.-])([a-z]+(?:-[a-z]+)*)(?![\w'’/-]|\.\w)")
_URL = re.compile(r"\(?https?://\S+|\]\([^)]*\)")
MIN_LENGTH = 4  # shorter words are abbreviations the shorthand list already owns


def card_words(content_dir: Path) -> set[str]:
    """Lower-case words of the cards' titles and bodies (front matter keys and URLs dropped)."""
    out: set[str] = set()
    for path in sorted(content_dir.rglob("*.md")):
        text = path.read_text("utf-8")
        if not text.startswith("---"):
            continue  # not a card (AUTHORING.md, review notes)
        front, _, body = text[3:].partition("\n---")
        titles = re.findall(r"^(?:title|learning_objective):\s*(.+)$", front, re.M)
        for chunk in [*titles, body]:
            for m in _WORD.finditer(_URL.sub(" ", chunk)):
                for part in m.group(1).split("-"):
                    if len(part) >= MIN_LENGTH:
                        out.add(part)
    return out


def vocabulary(content_dir: Path) -> set[str]:
    """What the lexicon should hold for these cards."""
    return card_words(content_dir) - words("given_names") - words("first_names")


def main(argv: list[str]) -> int:
    content = Path(argv[0]) if argv else Path("content")
    vocab = vocabulary(content)
    header = (
        "# Words the vetted cards (content/) write in lower case: clinical vocabulary that\n"
        "# never opens a name.  Known given names are left out.  Built by\n"
        "# privacy/build_clinical_words.py; rebuild after cards change."
    )
    body = "\n".join(sorted(vocab))
    (LEXICON_DIR / "clinical_words.txt").write_text(f"{header}\n{body}\n", "utf-8")
    print(f"clinical_words.txt: {len(vocab)} entries from {content}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
