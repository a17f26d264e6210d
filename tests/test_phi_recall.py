"""Identifier shapes the scrubber learned from the development split, in new wording.

Each case is written here, not copied from evals/phi: a dated note line, a surname that is
an ordinary word after a title, a house number before a street word in another language,
an address in another script with numbers in it, Irish name particles.  The look-alike
next to each (a murmur grade, a pain score, "dr said") must survive.
"""

from __future__ import annotations

import pytest

from privacy import PhiScrubber


@pytest.fixture(scope="module")
def scrubber() -> PhiScrubber:
    return PhiScrubber()


@pytest.mark.parametrize(("text", "gone"), [
    ("3/14 - pt febrile to 39.2, cultures?", "3/14"),
    ("hey 11/2 - k 5.9 on lisinopril - recheck when?", "11/2"),
    ("update: 6/30 | sats 88% on RA", "6/30"),
    ("seen by mrs. little today, ef 35%", "little"),
    ("attending mx. cross, a1c 9.1%", "cross"),
    ("pt mr. adebayo bell, inr 4.2", "bell"),
    ("Patient: 87 đường Trần Phú, 70000 TP. Huế; reason: sepsis", "Trần Phú"),
    ("Patient: 87 đường Trần Phú, 70000 TP. Huế; reason: sepsis", "70000"),
    ("addr 1200 Oak Streets, FM 96941 - cough", "96941"),
    ("서울특별시 종로구 세종대로 175 (세종로), 03172 서울 - fever", "175"),
    ("서울특별시 종로구 세종대로 175 (세종로), 03172 서울 - fever", "03172"),
    ("pt Siobhán Ní Bhriain, dob 2/3/1931", "Bhriain"),
])
def test_identifier_removed(scrubber: PhiScrubber, text: str, gone: str) -> None:
    assert gone not in scrubber.scrub_text(text)


@pytest.mark.parametrize(("text", "kept"), [
    ("murmur 3/6 - loud at apex", "3/6"),
    ("pain 8/10 - worse at night", "8/10"),
    ("strength 4/5 - left leg only", "4/5"),
    ("BP 130/80 - recheck in 4 weeks?", "130/80"),
    ("dr said ok to restart apixaban", "said"),
    ("dr. will call back about the ct", "will"),
    ("gave 2 via IV then 1 via NG", "via"),
    ("12 units via Hickman line", "Hickman"),
])
def test_look_alike_kept(scrubber: PhiScrubber, text: str, kept: str) -> None:
    assert kept in scrubber.scrub_text(text)
