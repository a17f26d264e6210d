"""Credit rules as validated data (``credit_rules.yaml``), never as constants in code.

Amounts, annual caps, designation statements, which professions get which credit and who
accredits the provider belong to the accredited provider and change without a release;
loading validates them so a typo fails at start-up with the file and field named, not
later in the middle of a learner's claim.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from credit_capture.credit_errors import InvalidRules, UnknownCreditType

DEFAULT_RULES_PATH = Path(__file__).with_name("credit_rules.yaml")
DEMONSTRATION = "Demonstration: not valid for credit"


class CreditType(BaseModel):
    """One kind of credit a completed cycle can earn."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    key: str = Field(pattern=r"^[a-z][a-z0-9_]*$", description="Stable id, e.g. ama_pra_1.")
    label: str = Field(min_length=1, description="Name shown to learners and on certificates.")
    amount: float = Field(gt=0, description="Credit earned per completed cycle.")
    unit: Literal["credits", "contact hours", "MOC points", "hours"]
    accreditor: str = Field(
        default="ACCME",
        description="Body whose accreditation of the provider this credit rests on "
        "(ACCME, ANCC, ACPE, AAPA); issued as valid only when the provider lists it.",
    )
    annual_cap: float = Field(gt=0, description="Most one learner may claim per calendar year.")
    requires_board_consent: bool = Field(
        default=False, description="Claims are reported to a board, so consent is required."
    )
    pars_code: str | None = Field(
        default=None, description="Credit type code in ACCME PARS; None = not reported."
    )
    board: str | None = Field(
        default=None, description="Certifying board (e.g. ABIM) whose learners it reports."
    )
    designation: str = Field(
        min_length=20, description="Designation statement, verbatim; {provider} = its name."
    )


class Provider(BaseModel):
    """The accredited provider running the activity; empty = a demonstration install."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(default="", description="The provider's name, as accredited.")
    accreditation: str = Field(default="", description="Accreditation statement, verbatim.")
    accredited_by: list[str] = Field(
        default_factory=list, description="Accrediting bodies, e.g. ACCME, ANCC."
    )


class Profession(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    label: str = Field(min_length=1, description="Shown in the profile's profession list.")
    credit_types: list[str] = Field(
        min_length=1, description="Credit types offered, the first claimed by default."
    )


class CreditRules(BaseModel):
    """The provider's point-of-care activity and the credit types it awards."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    provider: Provider = Field(default_factory=Provider)
    activity_id: str = Field(min_length=1)
    activity_title: str = Field(min_length=1)
    reflection_window_days: int = Field(default=30, gt=0, le=366)
    duplicate_window_days: int = Field(
        default=30, ge=0, le=366,
        description="A learner's repeat of a question within this many days joins its episode.",
    )
    duplicate_similarity: float = Field(
        default=0.9, gt=0, le=1.0,
        description="Cosine similarity of scrubbed questions at which they count as one.",
    )
    demo_content_creditable: bool = Field(
        default=False,
        description="Whether a cycle whose sources were all unreviewed demonstration "
        "content may earn credit.",
    )
    require_opened_source: bool = Field(
        default=True,
        description="An answered question needs at least one source opened before the "
        "reflection (step 2 of the cycle: sources consulted, not merely shown).",
    )
    practice_intervals_days: list[int] = Field(
        default_factory=lambda: [7, 30], max_length=6,
        description="Days after a claim at which the cycle's cards come back as a "
        "one-minute retrieval-practice check (spaced; strictly increasing).",
    )
    reflection_reminder_days: int = Field(
        default=3, ge=0, le=60,
        description="An open reflection whose window closes within this many days is "
        "e-mailed as a reminder (once) by `curbside reminders send`; 0 = no reminder.",
    )
    professions: dict[str, Profession] = Field(min_length=1)
    credit_types: list[CreditType] = Field(min_length=1)

    @field_validator("practice_intervals_days")
    @classmethod
    def _spaced(cls, days: list[int]) -> list[int]:
        if any(d < 1 or d > 3660 for d in days) or days != sorted(set(days)):
            raise ValueError("must be whole days from 1 to 3660, strictly increasing")
        return days

    @model_validator(mode="after")
    def _consistent(self) -> CreditRules:
        keys = [c.key for c in self.credit_types]
        dupes = sorted({k for k in keys if keys.count(k) > 1})
        if dupes:
            raise ValueError(f"duplicate credit type keys: {', '.join(dupes)}")
        for name, profession in self.professions.items():
            unknown = [k for k in profession.credit_types if k not in keys]
            if unknown:
                raise ValueError(f"professions.{name}: unknown credit types {', '.join(unknown)}")
        return self

    @property
    def keys(self) -> list[str]:
        return [c.key for c in self.credit_types]

    @property
    def accredited(self) -> bool:
        """True once a provider is configured: name, statement and at least one body."""
        p = self.provider
        return bool(p.name.strip() and p.accreditation.strip() and p.accredited_by)

    def valid_for_credit(self, key: str) -> bool:
        """Whether claims of this type are real credit (its accreditor is configured)."""
        wanted = self.credit_type(key).accreditor.upper()
        return self.accredited and wanted in {b.upper() for b in self.provider.accredited_by}

    def designation(self, key: str) -> str:
        return self.credit_type(key).designation.replace("{provider}", self.provider.name)

    def credit_type(self, key: str) -> CreditType:
        """The credit type named ``key``; UnknownCreditType lists the valid keys."""
        for c in self.credit_types:
            if c.key == key:
                return c
        raise UnknownCreditType(key, self.keys)

    def profession_key(self, key: str | None) -> str | None:
        """The rules' key for a profession typed or stored as ``key`` (case, spaces and
        hyphens forgiven), or None if the rules do not know it."""
        norm = (key or "").strip().lower().replace(" ", "_").replace("-", "_")
        return norm if norm in self.professions else None

    def profession(self, key: str | None) -> Profession | None:
        """The profession named ``key``, or None if unknown."""
        found = self.profession_key(key)
        return self.professions[found] if found else None

    def types_for(self, profession: str | None) -> list[CreditType]:
        """Credit types a learner of ``profession`` is offered (none if it is unknown)."""
        found = self.profession(profession)
        return [self.credit_type(k) for k in found.credit_types] if found else []

    def claim_prompt(self, profession: str | None) -> str:
        """The words of an answer's claim link: the credit this learner's profession is
        offered first, so a nurse is never promised AMA PRA Category 1 Credit™; before the
        profession is known (it is asked on the claim form), no credit type is named."""
        offered = self.types_for(profession)
        if not offered:
            return "Claim credit for this question"
        first = offered[0]
        return f"Claim {first.amount:g} {first.label} for this question"


def _describe(err: ValidationError) -> str:
    parts = []
    for e in err.errors():
        where = ".".join(str(p) for p in e["loc"]) or "(top level)"
        parts.append(f"{where}: {e['msg'].removeprefix('Value error, ')}")
    return "; ".join(parts)


def load_rules(path: str | Path | None = None) -> CreditRules:
    """Read and validate a rules file (default: the one shipped with the package)."""
    path = Path(path) if path is not None else DEFAULT_RULES_PATH
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise InvalidRules(str(path), f"cannot be read ({exc.strerror or exc})") from exc
    except yaml.YAMLError as exc:
        raise InvalidRules(str(path), f"is not valid YAML ({exc})") from exc
    if not isinstance(raw, dict):
        raise InvalidRules(str(path), "must be a YAML mapping of rule fields")
    try:
        return CreditRules.model_validate(raw)
    except ValidationError as exc:
        raise InvalidRules(str(path), _describe(exc)) from exc
