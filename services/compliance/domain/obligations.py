"""What a client's credentials require, and where each requirement stands.  A credential
is *at risk* when a required filing is not on file for a date still ahead, *suspended*
when one is missing on a date already past (regulators.md)."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from services.compliance.domain.deadlines import due_date
from services.compliance.domain.filings import CLOSED, ON_FILE, PolicyTerm, term_key
from services.compliance.domain.rules import Rule

EVIDENCE_TRIGGER = "policy_bound"


@dataclass
class Requirement:
    rule: Rule
    policy: PolicyTerm
    due_on: date
    state: str
    filing: object | None = None


@dataclass
class CredentialObligations:
    credential: dict
    standing: str
    requirements: list[Requirement] = field(default_factory=list)
    uncovered: list[Rule] = field(default_factory=list)


MET = frozenset({"on_file", "waived"})


def filing_state(filing) -> str:
    if filing is not None and filing.status == "waived":
        return "waived"  # not owed after all (with the reason in its history)
    if filing is None or filing.status in CLOSED:
        return "missing"
    if filing.status in ON_FILE:
        return "on_file"
    if filing.status == "cancel_pending":
        return "cancel_pending"
    if filing.status in ("submitted", "pending_review"):
        return "in_progress"
    return "not_filed"


def _best_filing(filings, rule: Rule, credential: dict, policy: PolicyTerm):
    key = term_key(rule, policy)
    candidates = [f for f in filings if f.rule_id == rule.id and f.credential_number == credential["number"]
                  and f.policy_number == policy.policy_number and f.term_key == key]
    open_ones = [f for f in candidates if f.status not in CLOSED]
    return (open_ones or candidates or [None])[-1]


def _standing(requirements: list[Requirement], uncovered: list[Rule], today: date, has_rules: bool) -> str:
    if not has_rules:
        return "no_requirements"
    unmet = [r for r in requirements if r.state not in MET]
    if any(r.due_on < today for r in unmet):
        return "suspended"
    if unmet or uncovered:
        return "at_risk"
    return "in_good_standing"


def credential_obligations(rules, credential: dict, *, entity_type: str | None, terms: list[PolicyTerm],
                           filings: list, today: date) -> CredentialObligations:
    own = [r for r in rules if r.credential_kind == credential["kind"] and EVIDENCE_TRIGGER in r.triggers
           and r.in_force_on(today) and (not r.entity_types or entity_type in r.entity_types)]
    current = [t for t in terms if t.expiration_date >= today]
    requirements, uncovered = [], []
    for rule in own:
        covering = [t for t in current if t.line_of_business in rule.lines_of_business]
        if not covering:
            uncovered.append(rule)
        for policy in covering:
            filing = _best_filing(filings, rule, credential, policy)
            due_on = filing.due_on if filing is not None else due_date(
                rule.due, effective_date=policy.effective_date, expiration_date=policy.expiration_date)
            requirements.append(Requirement(rule, policy, due_on, filing_state(filing), filing))
    return CredentialObligations(credential, _standing(requirements, uncovered, today, bool(own)),
                                 requirements, uncovered)
