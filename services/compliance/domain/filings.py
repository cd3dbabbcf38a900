"""Filings: what a policy event requires (derived from the rules) and the lifecycle a
filing moves through with the regulator.  Pure: no database, no messaging."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from services.compliance.domain.deadlines import cancellation_effective_date, due_date, describe_due
from services.compliance.domain.rules import Match, Rule, match_rules

STATUSES = ("draft", "requested", "submitted", "pending_review", "accepted", "active", "rejected",
            "cancel_pending", "cancelled", "superseded", "expired", "waived")

# The allowed moves.  rejected -> submitted is the corrected refiling; cancel_pending ->
# active is a reinstatement before the cancellation takes effect; a filing not yet with
# the body may be waived (not owed after all: an exemption, a rescinded cancellation),
# which needs a note saying why.
TRANSITIONS: dict[str, frozenset[str]] = {
    "draft": frozenset({"requested", "waived"}),
    "requested": frozenset({"submitted", "waived"}),
    "submitted": frozenset({"pending_review"}),
    "pending_review": frozenset({"accepted", "rejected"}),
    "rejected": frozenset({"submitted", "waived"}),
    "accepted": frozenset({"active"}),
    "active": frozenset({"cancel_pending", "superseded", "expired"}),
    "cancel_pending": frozenset({"cancelled", "active"}),
    "cancelled": frozenset(),
    "superseded": frozenset(),
    "expired": frozenset(),
    "waived": frozenset(),
}

NOT_YET_SUBMITTED = frozenset({"draft", "requested", "rejected"})
ON_FILE = frozenset({"accepted", "active"})
CLOSED = frozenset({"cancelled", "superseded", "expired", "waived"})
NEEDS_A_NOTE = frozenset({"waived"})

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
class Cancellation:
    """A policy's cancellation as compliance knows it.  From accounts.policy.cancelled it is
    *confirmed*: the real notice date, the day coverage ends, why and who asked.  Heard of only
    through accounts.policy.recorded (status cancelled) it is an estimate: the notice date is
    the day the message was sent, and the cancellation event corrects it when it arrives."""

    notice_date: date
    coverage_ends: date | None = None
    reason: str | None = None
    requested_by: str | None = None
    confirmed: bool = True

    def body_effective_on(self, notice_rule: Rule) -> date:
        """When the cancellation takes effect with the body whose notice rule this is."""
        return cancellation_effective_date(notice_rule, self.notice_date, reason=self.reason,
                                           coverage_ends=self.coverage_ends)

    def describe(self) -> str:
        if not self.confirmed:
            return f"notice date {self.notice_date.isoformat()} estimated from when the cancellation was recorded"
        parts = [self.reason.replace("_", " ") if self.reason else None,
                 f"requested by {self.requested_by}" if self.requested_by else None]
        told = ", ".join(p for p in parts if p)
        ends = f", coverage ends {self.coverage_ends.isoformat()}" if self.coverage_ends else ""
        return f"{told + '; ' if told else ''}notice {self.notice_date.isoformat()}{ends}"


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
    body_effective_on: date | None = None  # a cancellation notice: when it takes effect with the body

    @property
    def natural_key(self) -> tuple[str, str, str, str, str]:
        return (self.rule.id, self.credential["number"], self.policy.policy_number, self.trigger, self.term_key)


def term_key(rule: Rule, policy: PolicyTerm) -> str:
    """Good-until-cancelled filings stay with a policy number across terms; per-term and
    per-event filings are owed again for every term."""
    return "" if rule.filing_basis == "until_cancelled" else policy.effective_date.isoformat()


def reason_for(match: Match, policy: PolicyTerm, trigger: str, cancellation: Cancellation | None = None) -> str:
    rule, credential = match.rule, match.credential
    carrier = f" with {policy.carrier_name}" if policy.carrier_name else ""
    detail = ""
    if cancellation is not None:
        detail = f" ({cancellation.describe()}"
        if rule.notice_period_days:
            detail += f"; effective with {rule.body} on {cancellation.body_effective_on(rule).isoformat()}"
        detail += ")"
    return (f"{rule.body} requires {rule.form_label} {describe_due(rule)} for {credential['kind']} "
            f"{credential['number']} ({rule.title}): {policy.line_of_business} policy "
            f"{policy.policy_number}{carrier} {VERBS[trigger]}{detail}; {rule.citation}")


def derive_filings(rules, *, credentials: list[dict], policy: PolicyTerm, trigger: str,
                   entity_type: str | None = None, notice_date: date | None = None,
                   cancellation: Cancellation | None = None) -> list[FilingDraft]:
    """The filings ``trigger`` on ``policy`` requires.  A cancellation counts the notices
    from its notice date (``cancellation``, or a bare ``notice_date``)."""
    if cancellation is None and notice_date is not None and trigger == "policy_cancelled":
        cancellation = Cancellation(notice_date)
    if cancellation is not None:
        notice_date = cancellation.notice_date
    drafts = []
    for match in match_rules(rules, credentials, policy.line_of_business, trigger, policy.effective_date,
                             entity_type):
        due_on = due_date(match.rule.due, effective_date=policy.effective_date,
                          expiration_date=policy.expiration_date, notice_date=notice_date)
        effective_on = (cancellation.body_effective_on(match.rule)
                        if cancellation is not None and match.rule.notice_period_days else None)
        drafts.append(FilingDraft(match.rule, match.credential, policy, trigger, due_on,
                                  reason_for(match, policy, trigger, cancellation), term_key(match.rule, policy),
                                  notice_date, effective_on))
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
