"""The policy calculator (政策计算器): which of a zone's items in force an enterprise qualifies
for, nearly qualifies for, or cannot be judged on, with the reasons in the policy's words.

- :func:`evaluate_enterprise` reads the enterprise's facts from its profile;
- :func:`evaluate_facts` takes typed facts (the public try and the API's ``facts`` body),
  checked by :func:`typed_facts` (each error names the fact);
- :func:`grouped` sorts the results the way the pages show them.

The zone's versions in force on a day and their compiled form are kept in this process while
the zone's stamp stays the same (``services.in_force``: one cheap query per request, loaded
again after a publish or a retirement by any process); one enterprise against 1,000 items is
one table row, evaluated by the engine in Python scalars (``rules.one``). Reasons are worded
only when read.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from onewindow.core.errors import NotFound, ValidationFailed
from onewindow.core.throttle import FixedWindow
from onewindow.org.models import Applicant
from onewindow.policies import industry
from onewindow.policies.facts import (
    FACTS_BY_NAME,
    NUMERIC_KINDS,
    FactKind,
    Qualification,
)
from onewindow.policies.models import PolicyItemVersion
from onewindow.policies.permissions import can_read_facts
from onewindow.policies.rules.evaluate import (
    ELIGIBLE,
    INELIGIBLE,
    NEAR,
    UNKNOWN_OUTCOME,
    evaluate,
)
from onewindow.policies.rules.language import (
    amount_facts,
    condition_facts,
    parse_amount,
    parse_condition,
)
from onewindow.policies.rules.results import ItemResult, _canonical, _plain
from onewindow.policies.rules.table import FactTable
from onewindow.policies.services import in_force
from onewindow.policies.services.common import versions_in_force  # noqa: F401 (re-exported)
from onewindow.policies.services.in_force import compiled_items  # noqa: F401 (re-exported)
from onewindow.policies.services.profile import facts_for
from onewindow.policies.sizes import derive_size_class

OUTCOMES = (ELIGIBLE, NEAR, UNKNOWN_OUTCOME, INELIGIBLE)


class FactError(ValueError):
    """A typed fact that cannot be read: ``field`` is its name, the message names it."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


@dataclass(frozen=True)
class CalculatorResult:
    """One item's result for one enterprise (or one set of typed facts). Its reasons are
    worded when first read (a thousand items' words cost more than judging them; the
    ineligible are usually only counted)."""

    version: PolicyItemVersion
    outcome: str
    amount: Decimal | None
    amount_known: bool
    #: The version key (``code@number``) of the larger item it may not be combined with.
    excluded_by: str | None
    result_hash: str
    #: The engine's result, whose reasons these are.
    item_result: ItemResult = field(repr=False, compare=False)

    @functools.cached_property
    def reasons(self) -> tuple[dict, ...]:
        """One per condition: ``{"clause", "outcome", "text"}``."""
        return tuple(_reason(reason) for reason in self.item_result.reasons)

    @functools.cached_property
    def missing(self) -> tuple[dict, ...]:
        """What keeps it from eligible: the leaves to fix (near) or whose facts are missing."""
        return tuple(_reason(reason) for reason in self.item_result.missing)

    @property
    def key(self) -> str:
        return self.version.key

    @property
    def code(self) -> str:
        return self.version.item.code

    @property
    def proposed(self) -> bool:
        return self.outcome == ELIGIBLE and self.excluded_by is None


@dataclass
class Groups:
    """The results as the pages show them: 可享受 (with amounts; those excluded by a larger
    item after them), 接近符合, 信息不全, and a count of the rest."""

    eligible: list[CalculatorResult] = field(default_factory=list)
    excluded: list[CalculatorResult] = field(default_factory=list)
    near: list[CalculatorResult] = field(default_factory=list)
    unknown: list[CalculatorResult] = field(default_factory=list)
    ineligible_count: int = 0

    @property
    def total_amount(self) -> Decimal:
        return sum((r.amount for r in self.eligible if r.amount is not None), Decimal(0))


def forget_compiled() -> None:
    """Forget the compiled items, the versions in force and the hash parts of this process."""
    in_force.forget_all()
    _hash_parts.clear()


# -- evaluation ---------------------------------------------------------------------------------


def _reason(reason) -> dict:
    return {"clause": reason.clause, "outcome": reason.outcome, "text": reason.text}


def _evaluate(facts: Mapping[str, Any], zone_id: int, on: dt.date) -> list[CalculatorResult]:
    return evaluate_rows([facts], zone_id, on)[0]


def evaluate_rows(
    rows: list[Mapping[str, Any]], zone_id: int, on: dt.date
) -> list[list[CalculatorResult]]:
    """Each row of facts against the zone's items in force on ``on``: one table, one pass of
    the engine (the subscriptions judge every subscribed enterprise of a zone at once)."""
    if not rows:
        return []
    kept = in_force.in_force(zone_id, on)
    versions = list(kept.versions)
    if not versions:
        return [[] for _row in rows]
    evaluation = evaluate(kept.compiled, FactTable.from_rows(list(rows), on))
    answers = []
    for index, facts in enumerate(rows):
        final = evaluation.results(index)  # exclusions applied
        answers.append(
            [
                CalculatorResult(
                    version=version,
                    outcome=final[version.key].outcome,
                    amount=final[version.key].amount,
                    amount_known=final[version.key].amount_known,
                    excluded_by=final[version.key].excluded_by,
                    result_hash=digest,
                    item_result=final[version.key],
                )
                for version, digest in zip(
                    versions, result_hashes(facts, versions, on), strict=True
                )
            ]
        )
    return answers


# -- result hashes: what the engine's ``result_hash`` parses, kept per version ----------------

_JSON = {"sort_keys": True, "ensure_ascii": False, "separators": (",", ":")}
_HASH_PARTS_SIZE = 50_000
_hash_parts: dict[tuple[int, str], tuple[tuple[str, ...], str, str]] = {}


def _hash_part(version: PolicyItemVersion) -> tuple[tuple[str, ...], str, str]:
    """The facts ``version`` reads (sorted), its content and its key as canonical JSON: the
    parts of ``result_hash`` that do not depend on the facts (a published version never
    changes; the content hash is in the key all the same)."""
    key = (version.pk, version.content_hash)
    found = _hash_parts.get(key)
    if found is None:
        content = version.content()
        read = condition_facts(parse_condition(content["condition"]))
        read |= amount_facts(parse_amount(content.get("amount", {"kind": "none"})))
        found = (
            tuple(sorted(read)),
            json.dumps(_plain(content), **_JSON),
            json.dumps(version.key, **_JSON),
        )
        if len(_hash_parts) >= _HASH_PARTS_SIZE:
            _hash_parts.clear()
        _hash_parts[key] = found
    return found


def result_hashes(
    facts: Mapping[str, Any], versions: list[PolicyItemVersion], on: dt.date
) -> list[str]:
    """The engine's ``result_hash`` of each version for ``facts`` on ``on``, the same digest
    from the same canonical JSON, without parsing each version's rules again: each fact is
    made canonical once per call, each version's parts once per process."""
    canonical: dict[str, str] = {}
    on_json = json.dumps(on.isoformat(), **_JSON)
    digests = []
    for version in versions:
        read, item_json, key_json = _hash_part(version)
        values = []
        for name in read:
            text = canonical.get(name)
            if text is None:
                text = json.dumps(_canonical(name, facts.get(name)), **_JSON)
                canonical[name] = text
            values.append(f"{json.dumps(name, **_JSON)}:{text}")
        payload = (
            f'{{"facts":{{{",".join(values)}}},"item":{item_json},'
            f'"on":{on_json},"version":{key_json}}}'
        )
        digests.append(hashlib.sha256(payload.encode("utf-8")).hexdigest())
    return digests


def enterprise_zone_id(enterprise: Applicant) -> int | None:
    """The zone whose policies apply to ``enterprise``: its park's, else the first zone that
    registered it."""
    if enterprise.park_id is not None:
        return enterprise.park.zone_id
    return enterprise.registered_zones.order_by("pk").values_list("pk", flat=True).first()


def enterprise_facts(enterprise: Applicant) -> dict[str, Any]:
    """The enterprise's current facts from its profile (absent facts are unknown)."""
    return facts_for(enterprise_ids=[enterprise.pk]).get(enterprise.pk, {})


def evaluate_enterprise(
    enterprise: Applicant, on: dt.date | None = None, *, zone_id: int | None = None
) -> list[CalculatorResult]:
    """``enterprise`` against the items in force on ``on`` (today) in ``zone_id`` (the
    enterprise's zone by default), from the facts of its profile."""
    on = on or timezone.localdate()
    zone_id = zone_id or enterprise_zone_id(enterprise)
    if zone_id is None:
        return []
    return _evaluate(enterprise_facts(enterprise), zone_id, on)


def evaluate_facts(
    facts: Mapping[str, Any], zone, on: dt.date | None = None
) -> list[CalculatorResult]:
    """Typed ``facts`` (already read by :func:`typed_facts`) against the zone's items in
    force on ``on`` (today)."""
    on = on or timezone.localdate()
    zone_id = zone if isinstance(zone, int) else zone.pk
    return _evaluate(dict(facts), zone_id, on)


def grouped(results: Iterable[CalculatorResult]) -> Groups:
    """Results sorted for the pages: eligible by amount (largest first), near and unknown by
    code; an unknown is never counted as ineligible."""
    groups = Groups()
    for result in results:
        if result.outcome == ELIGIBLE:
            (groups.eligible if result.excluded_by is None else groups.excluded).append(result)
        elif result.outcome == NEAR:
            groups.near.append(result)
        elif result.outcome == UNKNOWN_OUTCOME:
            groups.unknown.append(result)
        else:
            groups.ineligible_count += 1
    groups.eligible.sort(key=lambda r: (-(r.amount or Decimal(0)), r.code))
    for part in (groups.excluded, groups.near, groups.unknown):
        part.sort(key=lambda r: r.code)
    return groups


# -- typed facts (the public try and the API) ---------------------------------------------------


def fold(text: Any) -> str:
    """Full-width digits, letters and signs as people type them, folded (NFKC) and trimmed."""
    return unicodedata.normalize("NFKC", str(text)).strip()


def _number(name: str, label: str, value: Any, kind: FactKind) -> Any:
    if isinstance(value, bool):
        raise FactError(name, _("%(label)s：应为数字") % {"label": label})
    text = fold(value).replace(",", "")
    percent = kind == FactKind.RATIO and text.endswith("%")
    if percent:
        text = text[:-1].strip()
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise FactError(name, _("%(label)s：应为数字") % {"label": label}) from None
    if not number.is_finite() or number < 0:
        raise FactError(name, _("%(label)s：应为不小于 0 的数字") % {"label": label})
    if kind == FactKind.INTEGER:
        if number != number.to_integral_value():
            raise FactError(name, _("%(label)s：应为整数") % {"label": label})
        return int(number)
    if percent:
        number = number / 100
    if kind == FactKind.RATIO and number > 1:
        raise FactError(
            name, _("%(label)s：比例应在 0 到 1 之间（或写作百分数，如 4.6%%）") % {"label": label}
        )
    return number


def _date(name: str, label: str, value: Any) -> dt.date:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(fold(value))
    except ValueError:
        raise FactError(
            name, _("%(label)s：应为日期（年-月-日，如 2020-05-01）") % {"label": label}
        ) from None


def _qualifications(name: str, label: str, value: Any, on: dt.date) -> list[dict]:
    """Codes of qualifications held now (the public form ticks them), or the profile's list
    of ``{"code", "number", "valid_from", "valid_until"}``."""
    if not isinstance(value, list):
        raise FactError(name, _("%(label)s：应为资质列表") % {"label": label})
    known = {member.value for member in Qualification}
    entries = []
    for entry in value:
        if isinstance(entry, str):
            entry = {"code": fold(entry)}
        if not isinstance(entry, Mapping) or fold(entry.get("code", "")) not in known:
            raise FactError(name, _("%(label)s：不认识的资质") % {"label": label})
        code = fold(entry["code"])
        valid_from = entry.get("valid_from")
        valid_until = entry.get("valid_until")
        entries.append(
            {
                "code": code,
                "number": fold(entry.get("number") or ""),
                "valid_from": (_date(name, label, valid_from) if valid_from else on).isoformat(),
                "valid_until": (
                    _date(name, label, valid_until).isoformat() if valid_until else None
                ),
            }
        )
    return entries


def _one_fact(name: str, value: Any, on: dt.date) -> Any:
    fact = FACTS_BY_NAME[name]
    label = str(fact.label)
    kind = fact.kind
    if kind in NUMERIC_KINDS:
        return _number(name, label, value, kind)
    if kind == FactKind.DATE:
        return _date(name, label, value)
    if kind == FactKind.BOOLEAN:
        if isinstance(value, bool):
            return value
        raise FactError(name, _("%(label)s：应为是或否（true / false）") % {"label": label})
    if kind == FactKind.INDUSTRY:
        if not isinstance(value, str):
            raise FactError(name, _("%(label)s：应为门类字母加数字，如 C3919") % {"label": label})
        try:
            return industry.validate(value, field=name, label=label)
        except ValidationFailed as error:
            raise FactError(name, error.message) from None
    if kind == FactKind.CHOICE:
        code = fold(value)
        if fact.choices and code not in {choice for choice, _label in fact.choices}:
            raise FactError(name, _("%(label)s：不是可选的值") % {"label": label})
        if not code:
            raise FactError(name, _("%(label)s：不能为空") % {"label": label})
        return code
    if kind == FactKind.QUALIFICATIONS:
        return _qualifications(name, label, value, on)
    if not isinstance(value, list) or not all(isinstance(tag, str) for tag in value):
        raise FactError(name, _("%(label)s：应为标签列表") % {"label": label})
    return sorted({fold(tag) for tag in value if fold(tag)})


def typed_facts(data: Mapping[str, Any], on: dt.date | None = None) -> dict[str, Any]:
    """Facts as typed (JSON or a form), read by their kinds; a blank value is unknown.

    Raises :class:`FactError` naming the first fact that is not one of the catalogue's, is a
    derived fact (企业规模 is worked out), or has a value of the wrong type."""
    on = on or timezone.localdate()
    facts: dict[str, Any] = {}
    for name, value in data.items():
        fact = FACTS_BY_NAME.get(name)
        if fact is None:
            raise FactError(name, _("不认识的企业信息项：%(name)s") % {"name": name})
        if fact.derived:
            raise FactError(
                name, _("%(label)s：由其他信息推算，不能直接填写") % {"label": fact.label}
            )
        if value is None or (isinstance(value, str) and not fold(value)):
            continue
        facts[name] = _one_fact(name, value, on)
    size_class = derived_size_class(facts)
    if size_class is not None:
        facts["size_class"] = size_class
    return facts


def derived_size_class(facts: Mapping[str, Any]) -> str | None:
    """The size class from the typed industry, employees, revenue and assets (统计上大中小微型
    企业划分办法), or None when it cannot be told."""
    if "industry_code" not in facts:
        return None
    try:
        size = derive_size_class(
            facts.get("industry_code"),
            facts.get("employees"),
            facts.get("revenue"),
            facts.get("total_assets"),
        )
    except ValueError:
        return None
    return None if size is None else str(size)


# -- the public try's allowance ----------------------------------------------------------------

#: Public tries per client address and minute, shared by the page and the API (ADR 0011): a
#: person trying figures stays far below; a script sweeping the rules does not.
TRY_LIMIT = FixedWindow("policies:try", limit=30, seconds=60)


def enterprise_for_reader(user, uscc: str) -> Applicant:
    """The enterprise ``uscc`` if ``user`` may read its facts (a representative, or a zone
    reader of its zone); an unknown code and one outside the reader's reach are the same
    ``NotFound``."""
    code = fold(uscc).upper()
    found = Applicant.objects.filter(uscc=code).select_related("park") if code else None
    enterprise = found.first() if found is not None else None
    if enterprise is None or not can_read_facts(user, enterprise):
        raise NotFound(_("没有找到该企业"), code="enterprise_not_found")
    return enterprise
