"""One shared clinical vocabulary, kept as data files in `clinical_terms/data/`.

Why a package of its own: retrieval (query expansion, abstention), the grounding verifier
and the PHI scrubber all need to know that "bactrim" is trimethoprim-sulfamethoxazole or that
"K 6.9" is a potassium value. When each kept its own copy the copies disagreed. Every reader
now imports these loaders; a site can point `CURBSIDE_TERMS_DIR` at its own copy of the data
folder to add local shorthand without editing the installed package.

No maintained clinical abbreviation lexicon installs offline from PyPI (checked 2026-12),
so the shorthand list is the project's own, reviewed like content.
"""

from clinical_terms.lexicon import (
    LabRange,
    brands,
    drug_classes,
    drug_names,
    everyday_words,
    generic_name,
    lab_ranges,
    long_form,
    one_slip_from,
    ordinary_words,
    score_names,
    shorthand,
    to_us_spelling,
)

__all__ = [
    "LabRange",
    "brands",
    "drug_classes",
    "drug_names",
    "everyday_words",
    "generic_name",
    "lab_ranges",
    "long_form",
    "one_slip_from",
    "ordinary_words",
    "score_names",
    "shorthand",
    "to_us_spelling",
]
