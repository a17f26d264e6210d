"""Reading an HL7 Infobutton knowledge request (URL-based implementation guide).

Every parameter is checked: an EHR integration is configured once and then runs unattended,
so a misspelt parameter must fail loudly (HTTP 400 naming it) rather than be ignored and
return plausible but unsteered results for years.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from integrations.codes import SYSTEMS_BY_OID, is_oid
from integrations.errors import BadEhrRequest

ATOM, JSON, JSONP, HTML = "text/xml", "application/json", "application/javascript", "text/html"
RESPONSE_TYPES = {ATOM: ATOM, "application/atom+xml": ATOM, JSON: JSON, JSONP: JSONP,
                  "text/javascript": JSONP, HTML: HTML}

_CRITERION = re.compile(r"^(mainSearchCriteria|subTopic)\.v\.(c|cs|csn|dn|ot)(\d*)$")
_CODED = ("c", "cs", "dn")
_KNOWN = {
    "knowledgeResponseType", "callback",
    "informationRecipient", "performer",
    "effectiveTime.v",
    "age.v.v", "age.v.u",
    *(f"{base}.{part}" for base in ("taskContext.c", "ageGroup.v",
                                    "patientPerson.administrativeGenderCode",
                                    "encounter.c", "severityObservation.interpretationCode",
                                    "informationRecipient.healthCareProvider.c",
                                    "performer.healthCareProvider.c")
      for part in _CODED),
    "patientPerson.administrativeGenderCode.c",
    "informationRecipient.languageCode.c", "performer.languageCode.c",
    "serviceDeliveryLocation.id.root", "representedOrganization.id.root",
    "representedOrganization.id.extension",
    "holder.assignedEntity.n", "holder.assignedEntity.certificateText",
    *(f"locationOfInterest.addr.{part}" for part in ("ZIP", "CTY", "STA", "CNT", "CPA")),
}
_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9.\-_]{0,39}$")
_ACT_CODE = re.compile(r"^[A-Z][A-Z0-9_]{1,29}$")
_LANGUAGE = re.compile(r"^[A-Za-z]{2,3}(?:-[A-Za-z0-9]{2,8})*$")
_CALLBACK = re.compile(r"^[A-Za-z_$][\w$]{0,63}(?:\.[A-Za-z_$][\w$]{0,63}){0,4}$")
_ROLES = {"PAT", "PROV", "PAYOR"}
_GENDERS = {"F": "female", "M": "male", "UN": None}
# UCUM units of age.v.u -> years.
_AGE_UNITS = {"a": 1.0, "mo": 1 / 12, "wk": 7 / 365.25, "d": 1 / 365.25, "h": 1 / 8766,
              "min": 1 / 525960}
# MeSH age groups (ageGroup.v.c) -> a representative age in years.
AGE_GROUPS = {
    "D007231": 0.04, "D007223": 0.8, "D002675": 4.0, "D002648": 9.0, "D000293": 15.0,
    "D055815": 21.0, "D000328": 30.0, "D008875": 55.0, "D000368": 70.0, "D000369": 85.0,
}
MAX_VALUE_CHARS = 500


@dataclass(frozen=True)
class Criterion:
    """One coded concept (mainSearchCriteria or subTopic): code, system and/or text."""

    code: str | None = None
    system_oid: str | None = None
    display: str | None = None
    original_text: str | None = None

    @property
    def system(self) -> str | None:
        """The card-codes key of a supported system ("icd10cm"), else None."""
        return SYSTEMS_BY_OID.get(self.system_oid or "")

    @property
    def text(self) -> str | None:
        return self.display or self.original_text


@dataclass(frozen=True)
class InfobuttonRequest:
    criteria: tuple[Criterion, ...]
    response_type: str = ATOM
    callback: str | None = None
    subtopic: Criterion | None = None
    task: str | None = None
    sex: str | None = None
    age_years: float | None = None
    context: tuple[tuple[str, str], ...] = field(default_factory=tuple)


def response_type_of(params: list[tuple[str, str]]) -> tuple[str, str | None]:
    """The requested format (and JSONP callback), read first so errors use that format."""
    values = dict(params)
    requested = values.get("knowledgeResponseType", ATOM).strip()
    callback = values.get("callback")
    return RESPONSE_TYPES.get(requested, JSON), callback if callback and _CALLBACK.match(
        callback) else None


def parse_request(params: list[tuple[str, str]]) -> InfobuttonRequest:
    """Validate a request's query parameters; raise `BadEhrRequest` naming the first problem."""
    values: dict[str, str] = {}
    for name, value in params:
        if name in values:
            raise BadEhrRequest(f"Parameter '{name}' is given more than once.")
        if not (name in _KNOWN or _CRITERION.match(name)):
            raise BadEhrRequest(f"Unknown parameter '{name}' (see the HL7 Infobutton "
                                "URL-based implementation guide).")
        value = value.strip()
        if not value:
            raise BadEhrRequest(f"Parameter '{name}' is empty.")
        if len(value) > MAX_VALUE_CHARS:
            raise BadEhrRequest(f"Parameter '{name}' is longer than {MAX_VALUE_CHARS} "
                                "characters.")
        values[name] = value

    requested = values.get("knowledgeResponseType", ATOM)
    if requested not in RESPONSE_TYPES:
        raise BadEhrRequest(f"knowledgeResponseType '{requested}' is not supported; use "
                            "text/xml, application/json, application/javascript or text/html.")
    response_type = RESPONSE_TYPES[requested]
    callback = values.get("callback")
    if response_type == JSONP and not callback:
        raise BadEhrRequest("application/javascript needs a 'callback' parameter.")
    if callback and not _CALLBACK.match(callback):
        raise BadEhrRequest("'callback' must be a JavaScript function name.")

    main = _criteria(values, "mainSearchCriteria")
    if not main:
        raise BadEhrRequest("Send mainSearchCriteria.v.c with mainSearchCriteria.v.cs, or "
                            "mainSearchCriteria.v.dn.")
    subtopics = _criteria(values, "subTopic")
    for name in ("informationRecipient", "performer"):
        if name in values and values[name] not in _ROLES:
            raise BadEhrRequest(f"'{name}' must be one of PAT, PROV or PAYOR.")
        language = values.get(f"{name}.languageCode.c")
        if language and not _LANGUAGE.match(language):
            raise BadEhrRequest(f"'{name}.languageCode.c' must be a language code such as en.")
    task = values.get("taskContext.c.c")
    if task and not _ACT_CODE.match(task):
        raise BadEhrRequest("'taskContext.c.c' must be an HL7 ActTaskCode such as PROBLISTREV.")
    for name, value in values.items():
        if name.endswith(".c.c") and name != "taskContext.c.c" and not _CODE.match(value):
            raise BadEhrRequest(f"'{name}' is not a valid code.")
        if name.endswith(".cs") and not is_oid(value):
            raise BadEhrRequest(f"'{name}' must be a code system OID such as "
                                "2.16.840.1.113883.6.90.")
    return InfobuttonRequest(
        criteria=tuple(main),
        response_type=response_type,
        callback=callback,
        subtopic=subtopics[0] if subtopics else None,
        task=task,
        sex=_sex(values),
        age_years=_age(values),
        context=tuple(sorted(values.items())),
    )


def _criteria(values: dict[str, str], base: str) -> list[Criterion]:
    """Criteria grouped by their optional index suffix (`.v.c`, `.v.c1`, `.v.c2` ...)."""
    groups: dict[str, dict[str, str]] = {}
    for name, value in values.items():
        match = _CRITERION.match(name)
        if match and match.group(1) == base:
            groups.setdefault(match.group(3), {})[match.group(2)] = value
    found = []
    for suffix in sorted(groups, key=lambda s: int(s or 0)):
        group = groups[suffix]
        name = f"{base}.v"
        if "c" in group and "cs" not in group:
            raise BadEhrRequest(f"'{name}.c{suffix}' needs its code system in '{name}.cs{suffix}'.")
        if "cs" in group and "c" not in group:
            raise BadEhrRequest(f"'{name}.cs{suffix}' is given without a code in "
                                f"'{name}.c{suffix}'.")
        if "c" in group and not _CODE.match(group["c"]):
            raise BadEhrRequest(f"'{name}.c{suffix}' is not a valid code.")
        if "cs" in group and not is_oid(group["cs"]):
            raise BadEhrRequest(f"'{name}.cs{suffix}' must be a code system OID such as "
                                "2.16.840.1.113883.6.90.")
        if not ({"c", "dn", "ot"} & group.keys()):
            raise BadEhrRequest(f"'{name}' needs a code (.c{suffix}) or a display name "
                                f"(.dn{suffix}).")
        found.append(Criterion(code=group.get("c"), system_oid=group.get("cs"),
                               display=group.get("dn"), original_text=group.get("ot")))
    return found


def _sex(values: dict[str, str]) -> str | None:
    code = values.get("patientPerson.administrativeGenderCode.c")
    if code is None:
        return None
    if code.upper() not in _GENDERS:
        raise BadEhrRequest("'patientPerson.administrativeGenderCode.c' must be F, M or UN.")
    return _GENDERS[code.upper()]


def _age(values: dict[str, str]) -> float | None:
    value, unit = values.get("age.v.v"), values.get("age.v.u")
    if value is None:
        if unit is not None:
            raise BadEhrRequest("'age.v.u' is given without 'age.v.v'.")
        group = values.get("ageGroup.v.c")
        if group is None:
            return None
        if group not in AGE_GROUPS:
            raise BadEhrRequest(f"'ageGroup.v.c' {group!r} is not a MeSH age group code "
                                "(e.g. D002675 preschool child, D000328 adult).")
        return AGE_GROUPS[group]
    try:
        number = float(value)
    except ValueError:
        raise BadEhrRequest("'age.v.v' must be a number.") from None
    unit = unit or "a"
    if unit not in _AGE_UNITS:
        raise BadEhrRequest("'age.v.u' must be a UCUM unit of time: a, mo, wk, d, h or min.")
    years = number * _AGE_UNITS[unit]
    if not 0 <= years <= 130:
        raise BadEhrRequest("'age.v.v' is out of range.")
    return years
