"""The renewal pipeline: terms expiring within N days (and those lapsed in the last few
weeks, until someone deals with them), each at its stage, with expiring premium totals
by stage and by account manager.

Stages, first that applies wins:
  renewed         a renewal term is recorded (or the term is marked renewed)
  lapsed          expired (by date or status) with no renewal recorded
  in_marketing    a ``renewal`` activity is open on the term
  renewal_raised  the renewal scan raised ``renewal due`` for it
  not_started     none of these
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import case, exists, func, or_, select
from sqlalchemy.orm import Session, aliased

from services.accounts.domain.paging import Page, page
from services.accounts.models import Activity, Client, Policy, RenewalNotice

STAGES = ("not_started", "renewal_raised", "in_marketing", "renewed", "lapsed")
PIPELINE_STATUSES = ("in_force", "renewed", "expired")
DEFAULT_CURRENCY = "USD"

_renewal = aliased(Policy, name="renewal_term")


@dataclass
class PipelineFilter:
    today: date
    within_days: int
    lapsed_days: int
    programs: frozenset[str] | None
    account_manager: str | None = None
    stage: str | None = None


def stage_of(today: date):
    """The stage of ``Policy`` as one SQL expression (used to list, filter and total)."""
    renewed = or_(Policy.status == "renewed", exists().where(_renewal.replaces_policy_id == Policy.id))
    lapsed = or_(Policy.status == "expired", Policy.expiration_date < today)
    marketing = exists().where(Activity.policy_id == Policy.id, Activity.type == "renewal",
                               Activity.status == "open")
    raised = exists().where(RenewalNotice.policy_id == Policy.id, RenewalNotice.outcome == "raised")
    return case((renewed, "renewed"), (lapsed, "lapsed"), (marketing, "in_marketing"),
                (raised, "renewal_raised"), else_="not_started")


def _base(where: PipelineFilter):
    statement = select(Policy).join(Client, Client.id == Policy.client_id).where(
        Policy.status.in_(PIPELINE_STATUSES),
        Policy.expiration_date >= where.today - timedelta(days=where.lapsed_days),
        Policy.expiration_date <= where.today + timedelta(days=where.within_days))
    if where.programs is not None:
        statement = statement.where(Client.program.in_(sorted(where.programs)))
    if where.account_manager:
        statement = statement.where(Client.account_manager == where.account_manager)
    if where.stage:
        statement = statement.where(stage_of(where.today) == where.stage)
    return statement


def pipeline_page(session: Session, where: PipelineFilter, *, limit: int, after: list | None) -> Page[dict]:
    """One page of the pipeline, soonest expiration first.  The page's ids come first, from
    the indexes alone (expiration order, then each term's client program); then its terms
    with their clients and stages in one query: a page costs the same in a book of any size."""
    ids = page(session, _base(where).with_only_columns(Policy.id), Policy.expiration_date, Policy.id, limit=limit,
               after=after, key_of=lambda policy_id: policy_id, parse_sort=date.fromisoformat)
    if not ids.items:
        return Page([], None)
    renewal_id = (select(_renewal.id).where(_renewal.replaces_policy_id == Policy.id)
                  .order_by(_renewal.effective_date.desc()).limit(1).scalar_subquery())
    # Only the columns an entry shows, as plain rows (no ORM instances to build for a page).
    rows = session.execute(
        select(Policy.id, Policy.client_id, Client.name, Client.program, Client.account_manager,
               Policy.line_of_business, Policy.policy_number, Policy.carrier_name, Policy.expiration_date,
               Policy.status, stage_of(where.today), renewal_id, Policy.premium_amount, Policy.premium_currency)
        .join(Client, Client.id == Policy.client_id)
        .where(Policy.id.in_(ids.items)))
    found = {row[0]: row for row in rows}
    entries = [_entry(found[policy_id], where.today) for policy_id in ids.items]
    last = found[ids.items[-1]]
    return Page(entries, [last[8].isoformat(), last[0]] if ids.next_key else None)


def pipeline_totals(session: Session, where: PipelineFilter) -> dict:
    """Count and expiring premium (Decimal, per currency) by stage and by account manager,
    from one pass over the selection (grouped by stage, manager and currency)."""
    rows = _base(where).with_only_columns(stage_of(where.today).label("stage"),
                                          Client.account_manager.label("account_manager"),
                                          Policy.premium_currency.label("currency"),
                                          Policy.premium_amount.label("premium")).subquery()
    cells = session.execute(select(rows.c.stage, rows.c.account_manager, rows.c.currency, func.count(),
                                   func.sum(rows.c.premium))
                            .group_by(rows.c.stage, rows.c.account_manager, rows.c.currency)).all()
    by_stage = [(stage_, currency, count, amount) for stage_, _manager, currency, count, amount in cells]
    by_manager = [(manager, currency, count, amount) for _stage, manager, currency, count, amount in cells]
    overall = _sums(by_stage, lambda _stage: "all").get("all", [_money(0, DEFAULT_CURRENCY, 0)])
    return {"overall": overall, "by_stage": _by_stage(by_stage),
            "by_account_manager": [{"account_manager": manager, **total}
                                   for manager, totals in sorted(_sums(by_manager).items(), key=_manager_order)
                                   for total in totals]}


def _entry(row, today: date) -> dict:
    (policy_id, client_id, client_name, program, account_manager, line, number, carrier, expires, status,
     stage, renewal_policy_id, premium, currency) = row
    return {
        "policy_id": policy_id, "client_id": client_id, "client_name": client_name, "program": program,
        "account_manager": account_manager, "line_of_business": line,
        "policy_number": number, "carrier_name": carrier,
        "expiration_date": expires, "days_to_expiration": (expires - today).days,
        "status": status, "stage": stage, "renewal_policy_id": renewal_policy_id,
        "expiring_premium": {"amount": premium, "currency": currency},
    }


def _money(count: int, currency: str, amount) -> dict:
    return {"count": count, "premium": {"amount": Decimal(amount or 0).quantize(Decimal("0.01")),
                                         "currency": currency}}


def _sums(rows, key=lambda key: key) -> dict:
    """{key: [{count, premium}, … one per currency]} from (key, currency, count, sum) rows."""
    grouped: dict = defaultdict(lambda: defaultdict(lambda: [0, Decimal(0)]))
    for group, currency, count, amount in rows:
        cell = grouped[key(group)][currency]
        cell[0] += count
        cell[1] += Decimal(amount or 0)
    return {group: [_money(count, currency, amount) for currency, (count, amount) in sorted(cells.items())]
            for group, cells in grouped.items()}


def _by_stage(rows) -> list[dict]:
    sums = _sums(rows)
    return [{"stage": stage, **total}
            for stage in STAGES for total in sums.get(stage, [_money(0, DEFAULT_CURRENCY, 0)])]


def _manager_order(item):
    manager, _totals = item
    return (manager is None, manager or "")
