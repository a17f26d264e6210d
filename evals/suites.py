"""Loading suites: a folder with `cases.jsonl` (or `cases.yaml`) and a README, or a file."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import yaml

SHIPPED = Path(__file__).parent / "suites"


class SuiteError(ValueError):
    """A suite cannot be found or one of its cases is malformed."""


@dataclass(frozen=True)
class Suite:
    name: str
    path: Path
    cases: list[dict]
    kind: str = "ask"  # "ask": questions through the service; "verify": claim/evidence pairs


def shipped_suites() -> list[str]:
    return sorted(p.name for p in SHIPPED.iterdir() if (p / "cases.jsonl").exists())


def load_suite(name_or_path: str) -> Suite:
    """A shipped suite by name (`answerable`) or any folder/file of cases."""
    path = Path(name_or_path)
    if not path.exists():
        path = SHIPPED / name_or_path
    if path.is_dir():
        candidates = [path / "cases.jsonl", path / "cases.yaml"]
        path = next((c for c in candidates if c.exists()), candidates[0])
    if not path.is_file():
        known = ", ".join(shipped_suites())
        raise SuiteError(f"no suite {name_or_path!r} (shipped suites: {known})")
    cases = _read_cases(path)
    name = path.parent.name if path.stem == "cases" else path.stem
    kind = "verify" if all("claim" in c and "evidence" in c for c in cases) else "ask"
    return Suite(name=name, path=path, cases=cases, kind=kind)


def _read_cases(path: Path) -> list[dict]:
    if path.suffix in {".yaml", ".yml"}:
        cases = yaml.safe_load(path.read_text(encoding="utf-8")) or []
    else:
        cases = []
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            try:
                cases.append(json.loads(line))
            except json.JSONDecodeError as exc:
                raise SuiteError(f"{path}:{number}: invalid JSON ({exc.msg})") from exc
    ids = set()
    for number, case in enumerate(cases, 1):
        if not isinstance(case, dict) or "id" not in case:
            raise SuiteError(f"{path}: case {number} needs an 'id'")
        if "question" not in case and "claim" not in case:
            raise SuiteError(f"{path}: case {case['id']} needs a 'question' or a 'claim'")
        if case["id"] in ids:
            raise SuiteError(f"{path}: duplicate case id {case['id']!r}")
        ids.add(case["id"])
    if not cases:
        raise SuiteError(f"{path}: no cases")
    return cases
