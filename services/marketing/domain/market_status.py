"""Where each market on a submission's list stands, and the moves it may make.

    draft -> sent -> acknowledged -> quoted / indicated / referred / declined
          -> bind_requested -> bound           (the market whose quote is bound)
                            -> declined        (the market refused to bind)
                            -> quoted          (the agency cancelled the bind order)
          -> lost                              (every other market, once one binds)
          -> expired                           (a quote past its valid-until date, unbound)

A market's answers may follow one another (a revision turns an indication into a quote, a
market reconsiders a declination, a fresh quote replaces an expired one); an
acknowledgement only moves a market that has not answered yet.  Every change is audited
(entity ``submission_market``, id ``<submission id>/<market id>``) with from, to and why;
an illegal one is refused with :class:`IllegalTransition` (409).
"""
from __future__ import annotations

from sqlalchemy.orm import Session

from services.marketing.domain.errors import Conflict
from shared.kit.audit import AuditEntry, audit_many, history
from shared.kit.context import correlation_id
from shared.kit.db import utcnow

ANSWERED = frozenset({"quoted", "indicated", "referred", "declined"})
STATUSES = ("draft", "sent", "acknowledged", "quoted", "indicated", "referred", "declined", "bind_requested",
            "bound", "lost", "expired")
TRANSITIONS: dict[str, frozenset[str]] = {
    "draft": frozenset({"sent"}),
    "sent": frozenset({"acknowledged", "lost"}) | ANSWERED,
    "acknowledged": frozenset({"lost"}) | ANSWERED,
    "quoted": ANSWERED | {"bind_requested", "bound", "lost", "expired"},
    "indicated": ANSWERED | {"lost", "expired"},
    "referred": ANSWERED | {"lost"},
    "declined": ANSWERED,
    "expired": ANSWERED | {"lost"},
    "bind_requested": frozenset({"bound", "declined", "quoted"}),
    "bound": frozenset(),
    "lost": frozenset(),
}
# Where a market that has not bound goes when another market's quote is bound.
LOSES_ON_BIND = frozenset({"sent", "acknowledged", "quoted", "indicated", "referred", "expired"})
ENTITY = "submission_market"


class IllegalTransition(Conflict):
    """The market's status cannot move that way."""


def entity_id(entry) -> str:
    return f"{entry.submission_id}/{entry.market_id}"


def allowed(current: str, new: str) -> bool:
    return new in TRANSITIONS.get(current, frozenset())


def move(entry, new: str, actor: str, *, reason: str | None = None, correlation: str | None = None,
         **details) -> AuditEntry | None:
    """Move ``entry`` (a SubmissionMarket) to ``new``: the audit row to record, or None
    when it already stands there.  Raises :class:`IllegalTransition`."""
    current = entry.status
    if current == new:
        return None
    if not allowed(current, new):
        raise IllegalTransition(f"Market {entry.market_id} is {current}; it cannot become {new}.")
    entry.status = new
    entry.status_changed_at = utcnow()
    return AuditEntry(actor, "submission_market.status_changed", ENTITY, entity_id(entry),
                      {"from": current, "to": new, "reason": reason, **details},
                      correlation if correlation is not None else correlation_id.get())


def change(session: Session, entry, new: str, actor: str, *, reason: str | None = None, **details) -> bool:
    """:func:`move` and record its audit row at once; True when the status changed."""
    row = move(entry, new, actor, reason=reason, **details)
    if row is not None:
        audit_many(session, [row])
    return row is not None


def status_history(session: Session, entry) -> list[dict]:
    """Every status change of a market on a submission, oldest first."""
    return [{"at": row["at"], "by": row["actor"], "from": row["details"].get("from"), "to": row["details"].get("to"),
             "reason": row["details"].get("reason")}
            for row in history(session, ENTITY, entity_id(entry))
            if row["action"] == "submission_market.status_changed"]
