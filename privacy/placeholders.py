"""The placeholder kinds that scrubbed text may contain: one list for every reader.

The scrubber writes ``[KIND]`` in place of an identifier; retrieval drops placeholders
before searching, and tests and evals look for them.  Keeping the kinds here means a new
kind (say ``[VEHICLE]``) cannot be written by one part and missed by another.
"""

from __future__ import annotations

import re

# Safe Harbor identifier types, as the scrubber labels them.  ADDRESS covers street lines,
# cities and ZIP codes; DATE and DOB every date element; ID any other unique number.
KINDS: tuple[str, ...] = tuple(
    "NAME ADDRESS DOB DATE AGE>89 PHONE FAX EMAIL SSN MRN MEMBER_ID ACCOUNT LICENSE VEHICLE"
    " DEVICE URL IP BIOMETRIC PHOTO ID".split()
)

PLACEHOLDER_RE = re.compile(r"\[(?:" + "|".join(re.escape(k) for k in KINDS) + r")\]")


def placeholder(kind: str) -> str:
    """The text that replaces an identifier of ``kind``."""
    if kind not in KINDS:
        raise ValueError(f"unknown placeholder kind {kind!r}")
    return f"[{kind}]"
