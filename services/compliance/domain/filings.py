"""Filings: what a policy event requires (derived from the rules) and the lifecycle a
filing moves through with the regulator.  Pure: no database, no messaging."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from services.compliance.domain.deadlines import due_date, describe_due
from services.compliance.domain.rules import Match, Rule, match_rules

STATUSES = ("draft", "requested", "submitted", "pending_review", "accepted", "active", "rejected",
            "cancel_pending", "cancelled", "superseded", "expired")

# The allowed moves.  rejected -> submitted is the corrected refiling; cancel_pending ->
# active is a reinstatement before the cancellation takes effect.
TRANSITIONS: dict[str, frozenset[str]] = {
    "draft": frozenset({"requested"}),
    "requested": frozenset({"submitted"}),
    "submitted": frozenset({"pending_review"}),
    "pending_review": frozenset({"accepted", "rejected"}),
    "rejected": frozenset({"submitted"}),
    "accepted": frozenset({"active"}),
    "active": frozenset({"cancel_pending", "superseded", "expired"}),
    "cancel_pending": frozenset({"cancelled", "active"}),
    "cancelled": frozenset(),
    "superseded": frozenset(),
    "expired": frozenset(),
}

NOT_YET_SUBMITTED = frozenset({"draft", "requested", "rejected"})
ON_FILE = frozenset({"accepted", "active"})
CLOSED = frozenset({"cancelled", "superseded", "expired"})

VERBS = {"policy_bound": "bound", "policy_renewed": "renewed", "policy_cancelled": "cancelled"}


class TransitionRefused(ValueError):
    def __init__(self, current: str, target: str):
        allowed = ", ".join(sorted(TRANSITIONS.get(current, ()))) or "none (final state)"
        super().__init__(f"A filing that is {current} cannot become {target}; allowed: {allowed}.")
        self.current = current
        self.target = target


def check_transition(current: str, target: str) -> None:
    if target not in TRANSITIONS.get(current, frozenset()):
        raise TransitionRefused(current, target)


@dataclass(frozen=True)
class PolicyTerm:
    policy_number: str
    line_of_business: str
    carrier_name: str | None
    effective_date: date
    expiration_date: date


@dataclass(frozen=True)
class FilingDraft:
    """A filing a policy event requires, before it is stored."""

    rule: Rule
    credential: dict
    policy: PolicyTerm
    trigger: str
    due_on: date
    reason: str
    term_key: str
    notice_date: date | None = None

    @property
    def natural_key(self) -> tuple[str, str, str, str, str]:
        return (self.rule.id, self.credential["number"], self.policy.policy_number, self.trigger, self.term_key)


def term_key(rule: Rule, policy: PolicyTerm) -> str:
    """Good-until-cancelled filings stay with a policy number across terms; per-term and
    per-event filings are owed again for every term."""
    return "" if rule.filing_basis == "until_cancelled" else policy.effective_date.isoformat()


def reason_for(match: Match, policy: PolicyTerm, trigger: str) -> str:
    rule, credential = match.rule, match.credential
    carrier = f" with {policy.carrier_name}" if policy.carrier_name else ""
    return (f"{rule.body} requires {rule.form_label} {describe_due(rule)} for {credential['kind']} "
            f"{credential['number']} ({rule.title}): {policy.line_of_business} policy "
            f"{policy.policy_number}{carrier} {VERBS[trigger]}; {rule.citation}")


def derive_filings(rules, *, credentials: list[dict], policy: PolicyTerm, trigger: str,
                   entity_type: str | None = None, notice_date: date | None = None) -> list[FilingDraft]:
    drafts = []
    for match in match_rules(rules, credentials, policy.line_of_business, trigger, policy.effective_date,
                             entity_type):
        due_on = due_date(match.rule.due, effective_date=policy.effective_date,
                          expiration_date=policy.expiration_date, notice_date=notice_date)
        drafts.append(FilingDraft(match.rule, match.credential, policy, trigger, due_on,
                                  reason_for(match, policy, trigger), term_key(match.rule, policy), notice_date))
    return drafts


def merge_credentials(*sources: list[dict]) -> list[dict]:
    """Credentials from several snapshots, once each by (kind, number), first source first."""
    merged: dict[tuple[str, str], dict] = {}
    for source in sources:
        for credential in source or []:
            key = (credential["kind"], credential["number"])
            merged.setdefault(key, {"kind": key[0], "number": key[1],
                                    "expires_on": credential.get("expires_on")})
    return list(merged.values())
