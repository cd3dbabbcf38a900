"""Regulatory filing rules, kept as data (``services/compliance/rules/*.json``): loading,
validation, and matching a policy term to the insured's credentials.  Pure functions."""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path

from marshmallow import ValidationError

from services.compliance.domain.rule_schema import RuleFileSchema

RULES_DIR = Path(__file__).resolve().parent.parent / "rules"


class RuleFileError(ValueError):
    """A rule file is missing, malformed, or breaks the rule schema."""


@dataclass(frozen=True)
class DueRule:
    anchor: str
    offset_days: int = 0
    offset_months: int = 0


@dataclass(frozen=True)
class Rule:
    id: str
    body: str
    title: str
    credential_kind: str
    lines_of_business: tuple[str, ...]
    form: str
    who_files: str
    triggers: tuple[str, ...]
    due: DueRule
    filing_basis: str
    citation: str
    verified: bool
    effective_from: date
    effective_to: date | None = None
    entity_types: tuple[str, ...] = ()
    former_forms: tuple[str, ...] = ()
    filing_method: str | None = None
    notice_period_days: int | None = None
    notice_counted_from: str | None = None
    minimum_limits: tuple[dict, ...] = field(default_factory=tuple)
    notice_period_days_by_reason: dict[str, int] = field(default_factory=dict)
    notes: str | None = None

    def notice_period_for(self, reason: str | None = None) -> int | None:
        """The notice period in days for a cancellation made for ``reason`` (None: the usual one)."""
        if reason is not None and reason in self.notice_period_days_by_reason:
            return self.notice_period_days_by_reason[reason]
        return self.notice_period_days

    def in_force_on(self, day: date) -> bool:
        return self.effective_from <= day and (self.effective_to is None or day < self.effective_to)

    def applies_to(self, credential_kind: str, line_of_business: str, trigger: str,
                   entity_type: str | None) -> bool:
        return (credential_kind == self.credential_kind and line_of_business in self.lines_of_business
                and trigger in self.triggers
                and (not self.entity_types or entity_type in self.entity_types))

    @property
    def form_label(self) -> str:
        if not self.former_forms:
            return self.form
        return f"{self.form} (formerly {', '.join(self.former_forms)})"


@dataclass(frozen=True)
class Match:
    rule: Rule
    credential: dict


def _rule_from(body: str, data: dict) -> Rule:
    data = dict(data)
    return Rule(
        body=body, due=DueRule(**data.pop("due")),
        lines_of_business=tuple(data.pop("lines_of_business")), triggers=tuple(data.pop("triggers")),
        entity_types=tuple(data.pop("entity_types")), former_forms=tuple(data.pop("former_forms")),
        minimum_limits=tuple(_jsonable_limit(m) for m in data.pop("minimum_limits")), **data,
    )


def _jsonable_limit(limit: dict) -> dict:
    amount = limit["amount"]
    return {**limit, "amount": {"amount": str(amount["amount"]), "currency": amount["currency"]}}


def load_rule_file(path: Path) -> list[Rule]:
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        loaded = RuleFileSchema().load(raw)
    except (OSError, json.JSONDecodeError) as exc:
        raise RuleFileError(f"{path.name}: {exc}") from None
    except ValidationError as exc:
        raise RuleFileError(f"{path.name}: {json.dumps(exc.messages, default=str)}") from None
    if loaded["body"].lower() != path.stem:
        raise RuleFileError(f"{path.name}: holds rules of {loaded['body']}; name the file {loaded['body'].lower()}.json")
    return [_rule_from(loaded["body"], data) for data in loaded["rules"]]


def load_rules(directory: Path = RULES_DIR) -> tuple[Rule, ...]:
    rules: list[Rule] = []
    for path in sorted(directory.glob("*.json")):
        rules.extend(load_rule_file(path))
    if not rules:
        raise RuleFileError(f"no rule files in {directory}")
    seen: set[str] = set()
    for rule in rules:
        if rule.id in seen:
            raise RuleFileError(f"rule id {rule.id} is defined twice")
        seen.add(rule.id)
    return tuple(rules)


@lru_cache(maxsize=1)
def rulebook() -> tuple[Rule, ...]:
    """The rules of this deployment (loaded and validated once per process)."""
    return load_rules()


def rule_by_id(rule_id: str, rules: tuple[Rule, ...] | None = None) -> Rule | None:
    return next((r for r in (rules or rulebook()) if r.id == rule_id), None)


def match_rules(rules, credentials: list[dict], line_of_business: str, trigger: str, term_start: date,
                entity_type: str | None = None) -> list[Match]:
    """Every (rule, credential) pair a term of ``line_of_business`` starting on ``term_start``
    requires when ``trigger`` happens."""
    return [
        Match(rule, credential)
        for credential in credentials
        for rule in rules
        if rule.in_force_on(term_start)
        and rule.applies_to(credential["kind"], line_of_business, trigger, entity_type)
    ]


def cancellation_rule_for(rules, body: str, credential_kind: str, line_of_business: str) -> Rule | None:
    """The notice rule that governs cancelling an evidence filing of this body and line."""
    return next((r for r in rules if r.body == body and r.credential_kind == credential_kind
                 and "policy_cancelled" in r.triggers and line_of_business in r.lines_of_business), None)
