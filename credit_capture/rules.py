"""Credit rules as validated data (``credit_rules.yaml``), never as constants in code.

Amounts, annual caps and designation statements belong to the accredited provider and
change without a release; loading validates them so a typo fails at start-up with the
file and field named, not later in the middle of a learner's claim.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from credit_capture.credit_errors import InvalidRules, UnknownCreditType

DEFAULT_RULES_PATH = Path(__file__).with_name("credit_rules.yaml")


class CreditType(BaseModel):
    """One kind of credit a completed cycle can earn."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    key: str = Field(pattern=r"^[a-z][a-z0-9_]*$", description="Stable id, e.g. ama_pra_1.")
    label: str = Field(min_length=1, description="Name shown to learners and on certificates.")
    amount: float = Field(gt=0, description="Credit earned per completed cycle.")
    unit: Literal["credits", "contact hours", "MOC points"]
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
    designation: str = Field(min_length=20, description="Designation statement, verbatim.")


class CreditRules(BaseModel):
    """The provider's point-of-care activity and the credit types it awards."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    provider: str = Field(min_length=1)
    activity_id: str = Field(min_length=1)
    activity_title: str = Field(min_length=1)
    reflection_window_days: int = Field(default=30, gt=0, le=366)
    credit_types: list[CreditType] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique_keys(self) -> CreditRules:
        keys = [c.key for c in self.credit_types]
        dupes = sorted({k for k in keys if keys.count(k) > 1})
        if dupes:
            raise ValueError(f"duplicate credit type keys: {', '.join(dupes)}")
        return self

    @property
    def keys(self) -> list[str]:
        return [c.key for c in self.credit_types]

    def credit_type(self, key: str) -> CreditType:
        """The credit type named ``key``; UnknownCreditType lists the valid keys."""
        for c in self.credit_types:
            if c.key == key:
                return c
        raise UnknownCreditType(key, self.keys)


def _describe(err: ValidationError) -> str:
    parts = []
    for e in err.errors():
        where = ".".join(str(p) for p in e["loc"]) or "(top level)"
        parts.append(f"{where}: {e['msg']}")
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
