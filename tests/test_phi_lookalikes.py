"""Questions without PHI reach retrieval whole; the same frames with a name still lose it.

Over-scrubbing costs the answer a word ("[NAME] line topical" for "rosacea frist line
topical"), so these pin the look-alikes that used to be eaten: clinical vocabulary that no
general word list knows, units after numbers, measurements glued to digits, Title Case
condition names, chromosome bands.  Each group has a counterpart showing that a person in
the same position is still removed.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

from privacy import PhiScrubber

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def scrubber() -> PhiScrubber:
    return PhiScrubber()


@pytest.fixture(scope="module")
def bench():
    spec = importlib.util.spec_from_file_location("_bench_phi_alt", ROOT / "bench" / "bench_phi.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while building
    spec.loader.exec_module(module)
    yield module
    sys.modules.pop(spec.name, None)


@pytest.mark.parametrize("question", [
    # words the cards use that general word lists lack
    "non purulent abscess drained, still need tmp-smx?",
    "subclin hypothyroidism in pregnancy, treat at tsh 6?",
    "ward pt hb 6.9 asymptomatic, transfuse?",
    # a unit after a number, a measurement glued to its digits
    "syncope 15 min after standing, tilt table?",
    "cpt for 45 min prolonged visit",
    "copd pt spo2 86 on 2L, titrate up?",
    "septic shock pco2 58 on bipap",
    # a slip of a drug or word before a place-like cue, a word before an aside
    "amoxicilin in 6mo old?",
    "how often (repeat echo) after valve repair",
    # an article opens a noun phrase
    "dog ate a lilly plant, toxic?",
    # Latin and biochemical endings
    "rosacea frist line topical",
    "mpox tecovirimat eligibility",
    "adult with enterobiasis, treat household?",
])
def test_clinician_look_alikes_survive(scrubber: PhiScrubber, question: str) -> None:
    assert scrubber.scrub_text(question) == question


@pytest.mark.parametrize("question", [
    "What are the treatments for Deep Vein Thrombosis ?",
    "What is (are) Carbon Monoxide Poisoning ?",
    "Who is at risk for Mitral Valve Prolapse? ?",
    "What is the outlook for Tarlov Cysts ?",
    "Do you have information about Club Drugs",
    "What are the symptoms of Klippel Feil Syndrome ?",
    "What causes Meesmann corneal dystrophy ?",
    "How to diagnose Freeman Sheldon syndrome ?",
    "what research (or clinical trials) is being done for Spina Bifida ?",
    "How many people are affected by 22q13 deletion ?",
])
def test_title_case_conditions_survive(scrubber: PhiScrubber, question: str) -> None:
    """Consumer questions capitalise the condition; its words are not a person's."""
    assert scrubber.scrub_text(question) == question


@pytest.mark.parametrize(("text", "name"), [
    ("What are the treatments for Maria Gonzalez ?", "Gonzalez"),
    ("prognosis for Thandiwe Mokoena?", "Mokoena"),
    ("bleeding risk for Thandiwe Mokoena on apixaban", "Mokoena"),
    ("Maria Gonzalez Hypokalemia K 2.9", "Gonzalez"),
    ("billing acct 1191-15576 for M. Rout", "Rout"),
    ("curbside: F. Warmer, turned 90 with ferritin 9616", "Warmer"),
    ("Mrs. Graves Disease clinic follow-up", "Graves"),
    ("pt maria gonzalez transfuse?", "gonzalez"),
    ("driver PHẠM Jane 94f, Glasgow 10", "PHẠM"),
    ("penny in bay 18 is 100yo", "penny"),
])
def test_names_in_the_same_frames_are_still_removed(
    scrubber: PhiScrubber, text: str, name: str
) -> None:
    assert name not in scrubber.scrub_text(text)


def test_clinician_dev_questions_are_left_alone(scrubber: PhiScrubber, bench) -> None:
    """The clinician_dev set (775 questions, no PHI) reaches retrieval unchanged: the
    measure behind `bench_phi.py --altered` (was 12 changed questions; allow 2 for new
    shorthand before the lexicons catch up)."""
    questions = bench.clinician_questions()
    assert len(questions) == 775
    changed = bench.altered_questions(scrubber, questions)
    assert len(changed) <= 2, changed


# The look-alikes each dev2 principle must leave alone, in new wording.
@pytest.mark.parametrize(("text", "kept"), [
    # dates: unpadded fractions, doses in dotted form, ratios after an age
    ("murmur 2/6 and edema 1/4 at ankles", "2/6"),
    ("pain 7/10 at 10:3/4 hourly", "7/10"),
    ("took 1/2 tab then 3/4 tab", "3/4"),
    ("age 90/100 is a ratio here", "90/100"),
    ("version 1.2.25 of the calculator", "1.2.25"),
    # a middle letter that is an article, a vitamin or a hepatitis type is no initial
    ("gave maria a dose of ceftriaxone", "a dose"),
    ("vitamin d level low, hep b vaccine due, type a dissection", "vitamin d level"),
    # a particle joining an eponym before "syndrome"
    ("workup for Cornelia de Lange syndrome", "Cornelia de Lange"),
    # two capitals before a drug or an ordinary word are an abbreviation
    ("MS Contin 15 mg bid, GI cocktail, ED Visit", "MS Contin"),
    ("ED Visit for chest pain", "ED Visit"),
    # a word before a given name that is an ordinary word; a score after a name
    ("new maria", "new"),
    ("Hana Pilar Centor 3, treat?", "Centor 3"),
    ("Ada Reyes Glasgow 14 after fall", "Glasgow 14"),
    # a lower-case noun before a verb of people, a label before an identifier
    ("the ID band says allergic to PCN", "band"),
    ("next appt 5/6/2027 for INR", "appt"),
    ("member ID 44710023 denied Eliquis", "denied"),
    # a residence cue before a state keeps the state; a lab after an address survives
    ("lives in Ohio 43004, nearest ER far", "Ohio"),
    ("address on file 12 Elm St, Dayton, tsh=11.2", "tsh=11.2"),
])
def test_dev2_look_alikes_kept(scrubber: PhiScrubber, text: str, kept: str) -> None:
    assert kept in scrubber.scrub_text(text)


@pytest.mark.parametrize("question", [
    # the name-context structures with no person in them
    "Hi team, is 5 mg of haldol ok?",  # a greeting to no one in particular
    "Allergies: penicillin, what instead for strep?",  # a header label, not a speaker
    "ok to give lasix to dialysis pts?",  # a drug's recipient that is a group
    "recheck k on lasix?",  # a result "on" a drug
    "pts today: chf, copd, aki - diuresis?",  # a list of problems, not patients
    "transfer from ICU, lactate 4, pressors?",  # a ward after "from"
    "ask pharmacy if vanc trough needed",  # the one asked is a service
    # eponyms, scores and drugs that read like surnames
    "murphy sign positive, RUQ US next?",
    "Homan sign positive, dvt workup?",
    "bell's palsy steroids within 72h?",
    "Wells score 4 and d-dimer 900, CTPA?",
    "Crohn's flare on Humira, add budesonide?",
    "Cushing triad, bp 210/50 hr 48",
    "Tanner stage 3 at 12, normal?",
    "Keppra vs Lamictal for pregnancy",
    # age and sex, lab values, vitamins and hepatitis letters
    "GCS 14, 67M, fall on apixaban - CT head?",
    "1. syncope 67M - tilt table? 2. chf 80 F - lasix dose?",  # rows of problems
    "vitamin D, calcium, then recheck?",
    "Jones K 6.8 on lisinopril?",  # a lab after a word, not an initial (Jones criteria)
    "hep B, surface ab negative - vaccinate?",
])
def test_name_context_look_alikes_survive(scrubber: PhiScrubber, question: str) -> None:
    assert scrubber.scrub_text(question) == question
