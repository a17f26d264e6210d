"""The scrubber's clinical vocabulary keeps up with the cards.

A card that brings new words ("hyperemesis gravidarum") without a lexicon rebuild leaves
them looking like a foreign name, so questions about the card's topic lose their topic
before they are searched or logged.
"""

from __future__ import annotations

from pathlib import Path

from privacy import PhiScrubber
from privacy.build_clinical_words import vocabulary
from privacy.lexicons import words

CONTENT = Path(__file__).resolve().parents[1] / "content"


def test_every_lower_case_card_word_is_in_the_lexicon():
    missing = sorted(vocabulary(CONTENT) - words("clinical_words"))
    assert not missing, (
        f"{len(missing)} card words missing from privacy/lexicons/clinical_words.txt "
        f"(e.g. {missing[:5]}): run .venv/bin/python -m privacy.build_clinical_words")


def test_a_question_about_a_new_card_topic_keeps_its_topic_and_loses_the_name():
    scrubber = PhiScrubber()
    assert scrubber.scrub_text("hyperemesis gravidarum iv fluids which") == (
        "hyperemesis gravidarum iv fluids which")
    assert "Gonzalez" not in scrubber.scrub_text("pt Maria Gonzalez hyperemesis gravidarum")
