"""Names and places for the synthetic PHI set: Faker in many locales plus names that are
also common words or eponyms, in the shapes charts and chat use (``Last, First``,
initials, titles, hyphenated surnames, all lower case, non-Latin scripts)."""

from __future__ import annotations

import random

from evals.phi.formats import Part, phi

# Names that are also English words, eponyms or drug-like words; each split draws from
# its own half so the untouched split holds names the rule writer never saw.
WORD_NAMES = {
    "dev": {
        "first": "Hope Grace Will Faith Rose Ivy Dawn June April Amber Hunter Mason Sage Ruby "
        "Hazel Olive Daisy Holly Robin Chase Reed Crystal Joy Penny".split(),
        "last": "Wells Graves Bell Parker Cook Baker Young King Black Brown Little Price Hill "
        "Stone Burke Addison Bishop Child Moody Cross Chambers Pickett Lyme Temple "
        "Major Rich Fox".split(),
    },
    "untouched": {
        "first": "Iris Summer Autumn Violet Pearl Heather Skye Brooke Cash Gray Lane Jade "
        "Blossom Precious Sunny Destiny Patience Honor Star Raven Misty Ginger".split(),
        "last": "Ward Marsh Wood Green White Long Frank Hunter Glasgow Ottawa Cushing Parkinson "
        "Crohn Barrett Fisher Mayo Gleason Paget Hart Light Duke Still Grant Holmes".split(),
    },
    # A third half-set for the second development split, drawn from neither list above.
    "dev2": {
        "first": "Bliss Charity Mercy Harmony River Rain Storm Winter Ember Wren Lark Fern "
        "Poppy Clover Coral Melody Noble True Sterling Clay Dale Glen Forest Rusty".split(),
        "last": "Frost Snow Rice Bean Salmon Pike Moss Page Rush Sharp Sweet Wise Gold Savage "
        "Crane Drake Swan Lamb Whipple Horner Bowen Wilson Turner Murphy Osler Apgar".split(),
    },
    # A fourth half-set for the third development split (chat and pasted-chart name
    # contexts), drawn from none of the lists above.
    "dev3": {
        "first": "Lily Jasmine Cherry Candy Dusty Sandy Rocky Angel Blaze Ocean Meadow Kit "
        "Birdie Goldie Marigold Saffron Sparrow Sunny Honey Story Royal Journey Shadow "
        "Liberty Haven".split(),
        "last": "Carpenter Potter Shepherd Weaver Porter Cooper Gardner Tanner Brewer Hardy "
        "Church Wolf Bird Best Payne Hale Homan Romberg Kernig Levine Austin Graham Allen "
        "Virchow Beck Kehr".split(),
    },
}
# Nicknames as colleagues write them in chat ("bobby in 4"): short forms no census list of
# given names necessarily holds (dev3 only).
NICKNAMES = (
    "Bobby Liz Beth Kate Jimmy Billy Tommy Mikey Dave Steve Chrissy Patsy Sue Jen Jess Nick "
    "Tony Rick Maggie Peggy Meg Becky Abby Cathy Sally Molly Trish Barb Deb Vicky Lou Gus Hank "
    "Ned Teddy Zeke Manny Lupe Chuy Paco Nacho Lalo Beto Gabi Dani Sasha Misha Kolya Lenny "
    "Vinny Frankie Sammy Bev Gerry Bertie Alfie Ollie Pippa Tash Mo Nana Bubba"
).split()
# Particles and prefixes that open surnames in many languages (dev2 name shapes only).
PARTICLE_SURNAMES = ["van der", "de la", "da", "del", "von", "bin", "al-", "O'", "Mc", "ter"]
TITLES = ["Mr.", "Mrs.", "Ms.", "Mr", "Mrs", "Ms", "Miss", "Mx.", "Sr.", "Dr.", "Prof."]
RELATIONS = [
    "son",
    "daughter",
    "wife",
    "husband",
    "mom",
    "mother",
    "dad",
    "sister",
    "brother",
    "granddaughter",
    "grandson",
    "niece",
    "nephew",
    "partner",
    "caregiver",
    "neighbour",
    "aunt",
    "uncle",
    "HCP",
    "POA",
    "friend",
]


def _first_last(rng: random.Random, fake, split: str) -> tuple[str, str]:
    """A given name and a surname from the line's locale, sometimes a word-name instead."""
    words = WORD_NAMES[split]
    roll = rng.random()
    if roll < 0.15:
        return rng.choice(words["first"]), fake.last_name()
    if roll < 0.3:
        return fake.first_name(), rng.choice(words["last"])
    first, last = fake.first_name(), fake.last_name()
    if rng.random() < 0.12:
        last = f"{last}-{fake.last_name()}"
    return first, last


def name(rng: random.Random, fake, split: str) -> list[Part]:
    """A patient's or relative's name in one of the shapes it is typed in."""
    if split == "dev2":
        return name_dev2(rng, fake, split)
    if split == "dev3":
        return name_dev3(rng, fake, split)
    first, last = _first_last(rng, fake, split)
    shapes = [
        f"{first} {last}",
        f"{first} {last}",
        f"{last}, {first}",
        f"{last.upper()}, {first.upper()}",
        f"{first.lower()} {last.lower()}",
        f"{first[0]}. {last}",
        f"{first} {fake.first_name()} {last}",
        f"{last.upper()} {first}",
        f"{first} {last[0]}.",
    ]
    return phi(rng.choice(shapes), "NAME")


def _with_particle(rng: random.Random, last: str) -> str:
    """"van der Berg", "O'Hagan", "al-Rashid": a surname behind a particle or prefix."""
    particle = rng.choice(PARTICLE_SURNAMES)
    if particle.endswith(("'", "-")) or particle == "Mc":
        return particle + last
    return f"{particle} {last}"


def name_dev2(rng: random.Random, fake, split: str) -> list[Part]:
    """Name shapes for ``dev2``: the common ones plus a middle initial, a particle surname,
    all capitals in reading order, lower-case "last first", a given name alone in lower
    case and "Last First M." as a sign-out list prints it."""
    first, last = _first_last(rng, fake, split)
    if rng.random() < 0.15:
        last = _with_particle(rng, last)
    # The middle initial comes from another given name of the locale, so it is written in
    # the name's own script.
    mi = fake.first_name()[:1].upper()
    shapes = [
        f"{first} {last}",
        f"{first} {mi}. {last}",
        f"{first} {mi} {last}",
        f"{last}, {first} {mi}.",
        f"{first.upper()} {last.upper()}",
        f"{last.lower()} {first.lower()}",
        f"{first.lower()} {last.lower()}",
        f"{last} {first}",
        f"{first[0]}{mi} {last}",
        f"{first} {last}",
        f"{first.lower()} {mi.lower()} {last.lower()}",
    ]
    return phi(rng.choice(shapes), "NAME")


def name_dev3(rng: random.Random, fake, split: str) -> list[Part]:
    """Name shapes for ``dev3``: as typed in chat and as charts paste them, with particle
    and hyphenated surnames, lower case, capitals, surname first with and without a comma,
    a nickname for the given name and a given name with an initial."""
    first, last = _first_last(rng, fake, split)
    roll = rng.random()
    if roll < 0.12:
        last = _with_particle(rng, last)
    elif roll < 0.22:
        last = f"{last}-{fake.last_name()}"
    if rng.random() < 0.12:
        first = rng.choice(NICKNAMES)
    shapes = [
        f"{first} {last}",
        f"{first} {last}",
        f"{first.lower()} {last.lower()}",
        f"{first.lower()} {last.lower()}",
        f"{last}, {first}",
        f"{last.lower()}, {first.lower()}",
        f"{last.upper()}, {first}",
        f"{last} {first}",
        f"{first} {last[0]}",
        f"{first[0]} {last}",
        f"{first.upper()} {last.upper()}",
    ]
    return phi(rng.choice(shapes), "NAME")


def nickname(rng: random.Random) -> list[Part]:
    """A nickname alone ("bobby"), in the line's case."""
    return phi(rng.choice(NICKNAMES), "NAME")


def surname_lower(rng: random.Random, fake, split: str) -> list[Part]:
    """A surname alone in lower case, as chat handovers type it ("okafor in 12")."""
    return phi(_first_last(rng, fake, split)[1].lower(), "NAME")


def surname_only(rng: random.Random, fake, split: str) -> list[Part]:
    """A surname alone, as handovers refer to patients ("Okafor in 12 is septic")."""
    return phi(_first_last(rng, fake, split)[1], "NAME")


def titled(rng: random.Random, fake, split: str) -> list[Part]:
    """Title + surname (or + full name): the title stays, the name goes."""
    first, last = _first_last(rng, fake, split)
    value = last if rng.random() < 0.6 else f"{first} {last}"
    return [(rng.choice(TITLES) + " ", None), *phi(value, "NAME")]


def relative(rng: random.Random, fake, split: str) -> list[Part]:
    """ "her son Kevin", "dtr (Aiko)": a relation followed by a given name."""
    first, _ = _first_last(rng, fake, split)
    rel = rng.choice(RELATIONS)
    pre = rng.choice([f"{rel} ", f"{rel} ", f"{rel} is ", f"{rel}: ", f"{rel} ("])
    tail = ")" if pre.endswith("(") else ""
    return [(pre, None), *phi(first, "NAME"), (tail, None)]


def first_only(rng: random.Random, fake, split: str) -> list[Part]:
    return phi(_first_last(rng, fake, split)[0], "NAME")


def street(rng: random.Random, fake) -> list[Part]:
    line = fake.street_address()
    if rng.random() < 0.2:
        line += rng.choice([" apt 4B", " Apt. 12", " #3", ", Unit 7"])
    return phi(line, "ADDRESS")


def city_state_zip(rng: random.Random, fake, us: bool) -> list[Part]:
    if us:
        parts: list[Part] = [*phi(fake.city(), "ADDRESS"), (", " + fake.state_abbr(), None)]
        if rng.random() < 0.7:
            parts += [(" ", None), *phi(fake.zipcode(), "ZIP")]
        return parts
    return [*phi(fake.postcode(), "ZIP"), (" ", None), *phi(fake.city(), "ADDRESS")]


def full_address(rng: random.Random, fake, us: bool) -> list[Part]:
    return [*street(rng, fake), (", ", None), *city_state_zip(rng, fake, us)]


def city(rng: random.Random, fake) -> list[Part]:
    return phi(fake.city(), "ADDRESS")


def zipcode(rng: random.Random, fake, us: bool) -> list[Part]:
    return phi(fake.zipcode() if us else fake.postcode(), "ZIP")
