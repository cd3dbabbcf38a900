"""Market selection (pure): rank markets for a submission by appetite fit, weighed by each
market's history with the agency, with the reasons for every score.

Appetite fit (0-100) adds points per criterion: lines (40), state (20), premium range
(20), program (10) and class of business (10).  A criterion the market's appetite does
not state earns half its points; one the risk plainly falls outside of is a *hard* miss,
and a market with a hard miss is never ranked above a market without one.

History (0-100) comes from the agency's own records: quote ratio (quoted / sent, 50
points), bind ratio (bound / quoted, 30 points) and median turnaround in days from
sending to the answer (20 points at 5 days or less, none at 30 or more).  A market never
sent a submission gets a neutral 50.

Appetite beyond NAICS, where the market states it (no reason at all where it does not):
class codes per line (``class_codes`` written, ``excluded_class_codes``) against the
submission's class codes: a code excluded or not written is a hard miss; limit bands
(``limit_bands``: the largest limit written per line, or per coverage of a line) against
the limits asked in the specifications: each band exceeded is a 5-point penalty (at most
10): the market may still write a lower limit; exclusions (``exclusions``: keywords
matched against the insured's operations and name, or 2-6 digit NAICS prefixes): a match
is a hard miss.  Every reason says its effect: fit, partial, neutral, penalty, miss or
exclusion.

The agency's appointment: a market it may not place with directly (not appointed, or
terminated by the effective date) is a hard miss naming the wholesalers that reach it; a
wholesaler lists the carriers it reaches for the submission's lines.

Score = 70% appetite fit + 30% history, to the cent.  All arithmetic is Decimal.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from statistics import median
import re

FIT_WEIGHT = Decimal("0.7")
HISTORY_WEIGHT = Decimal("0.3")
NEUTRAL_HISTORY = Decimal("50")
FAST_DAYS, SLOW_DAYS = Decimal("5"), Decimal("30")
CENT = Decimal("0.01")
SECONDS_PER_DAY = Decimal("86400")


@dataclass(frozen=True)
class Risk:
    """What the submission asks of a market."""

    lines: tuple[str, ...]
    state: str | None
    program: str
    naics: str | None
    premium_basis: Decimal | None  # target premium, else the expiring premium
    class_codes: dict = field(default_factory=dict)  # {"WC": ["8810"], "GL": ["91111"]}
    operations: str | None = None  # the insured's operations (and name) in words
    limits: tuple = ()  # (line, coverage code, largest limit amount asked)


@dataclass(frozen=True)
class Placement:
    """One submission sent to the market, as the agency's records show it."""

    sent_at: datetime
    answered_at: datetime | None
    quoted: bool
    bound: bool


@dataclass(frozen=True)
class History:
    sent: int
    quoted: int
    bound: int
    quote_ratio: Decimal | None
    bind_ratio: Decimal | None
    median_turnaround_days: Decimal | None


@dataclass(frozen=True)
class Candidate:
    market_id: str
    name: str
    admitted: bool
    appetite: dict
    history: History
    kind: str = "carrier"
    appointment_status: str = "appointed"
    can_place: bool = True  # the agency may place with the market directly
    appointment_detail: str | None = None
    reached_through: tuple = ()  # ({"market_id", "market_name"}, ...) wholesalers reaching it
    reachable_carriers: tuple = ()  # reach views (dicts) of a wholesaler, for the risk's lines


@dataclass(frozen=True)
class Reason:
    criterion: str
    points: Decimal
    max_points: Decimal
    hard_miss: bool
    detail: str
    effect: str | None = None

    def to_dict(self) -> dict:
        return {"criterion": self.criterion, "points": _text(self.points), "max_points": _text(self.max_points),
                "hard_miss": self.hard_miss, "detail": self.detail, "effect": self.effect or self._effect()}

    def _effect(self) -> str:
        if self.hard_miss:
            return "miss"
        if self.points < 0:
            return "penalty"
        if self.max_points == 0:
            return "neutral"
        return "fit" if self.points >= self.max_points else "partial"


@dataclass(frozen=True)
class Fit:
    reasons: tuple[Reason, ...] = field(default_factory=tuple)

    @property
    def points(self) -> Decimal:
        return max(sum((r.points for r in self.reasons), Decimal("0")), Decimal("0"))

    @property
    def eligible(self) -> bool:
        return not any(r.hard_miss for r in self.reasons)


# -- history -------------------------------------------------------------------------

def history_of(placements: list[Placement]) -> History:
    sent = len(placements)
    quoted = sum(1 for p in placements if p.quoted)
    bound = sum(1 for p in placements if p.bound and p.quoted)
    days = [Decimal(str((p.answered_at - p.sent_at).total_seconds())) / SECONDS_PER_DAY
            for p in placements if p.answered_at is not None]
    return History(
        sent=sent, quoted=quoted, bound=bound,
        quote_ratio=_ratio(quoted, sent), bind_ratio=_ratio(bound, quoted),
        median_turnaround_days=None if not days else Decimal(median(sorted(days))).quantize(Decimal("0.1"), ROUND_HALF_UP),
    )


def history_points(history: History) -> tuple[Decimal, list[Reason]]:
    if history.sent == 0:
        return NEUTRAL_HISTORY, [Reason("history", NEUTRAL_HISTORY, Decimal(100), False,
                                        "No submission sent to this market yet: neutral history.")]
    quote_points = (history.quote_ratio or Decimal(0)) * 50
    bind_points = (history.bind_ratio or Decimal(0)) * 30
    turnaround = _turnaround_points(history.median_turnaround_days)
    reasons = [
        Reason("quote_ratio", _cents(quote_points), Decimal(50), False,
               f"Quoted {history.quoted} of {history.sent} submissions sent."),
        Reason("bind_ratio", _cents(bind_points), Decimal(30), False,
               f"Bound {history.bound} of {history.quoted} quotes." if history.quoted else "No quote to bind yet."),
        Reason("turnaround", _cents(turnaround), Decimal(20), False,
               "No answer received yet." if history.median_turnaround_days is None else
               f"Median turnaround {history.median_turnaround_days} days from sending to answer."),
    ]
    return _cents(quote_points + bind_points + turnaround), reasons


def _turnaround_points(days: Decimal | None) -> Decimal:
    if days is None or days >= SLOW_DAYS:
        return Decimal(0)
    if days <= FAST_DAYS:
        return Decimal(20)
    return Decimal(20) * (SLOW_DAYS - days) / (SLOW_DAYS - FAST_DAYS)


# -- appetite fit --------------------------------------------------------------------

def appetite_fit(risk: Risk, appetite: dict) -> Fit:
    return Fit((_lines(risk, appetite), _state(risk, appetite), _premium(risk, appetite),
                _program(risk, appetite), _class(risk, appetite), *_class_codes(risk, appetite),
                *_limit_bands(risk, appetite), *_exclusions(risk, appetite)))


def _class_codes(risk: Risk, appetite: dict) -> list[Reason]:
    written, excluded = appetite.get("class_codes") or {}, appetite.get("excluded_class_codes") or {}
    if not written and not excluded:
        return []
    reasons = []
    for line in sorted(set(written) | set(excluded)):
        if line not in risk.lines:
            continue
        codes = list(risk.class_codes.get(line) or [])
        if not codes:
            reasons.append(Reason("class_codes", Decimal(0), Decimal(0), False,
                                  f"No {line} class codes given for the insured to match the appetite's.", "neutral"))
            continue
        barred = [code for code in codes if code in (excluded.get(line) or [])]
        if barred:
            reasons.append(Reason("class_codes", Decimal(0), Decimal(0), True,
                                  f"Excludes {line} class {', '.join(barred)}.", "exclusion"))
            continue
        if line in written:
            missing = [code for code in codes if code not in written[line]]
            if missing:
                reasons.append(Reason("class_codes", Decimal(0), Decimal(0), True,
                                      f"Does not write {line} class {', '.join(missing)}.", "miss"))
                continue
        reasons.append(Reason("class_codes", Decimal(0), Decimal(0), False,
                              f"Writes {line} class {', '.join(codes)}.", "fit"))
    return reasons


LIMIT_PENALTY, LIMIT_PENALTY_CAP = Decimal(5), Decimal(10)


def _limit_bands(risk: Risk, appetite: dict) -> list[Reason]:
    reasons, penalty = [], Decimal(0)
    for band in appetite.get("limit_bands") or []:
        line, coverage, cap = band["line"], band.get("coverage"), _amount(band["max_limit"])
        asked = [(code, amount) for lob, code, amount in risk.limits
                 if lob == line and (coverage is None or code == coverage)]
        if not asked:
            continue
        where = f"{line} {coverage}" if coverage else line
        over = [(code, amount) for code, amount in asked if amount > cap]
        if not over:
            reasons.append(Reason("limits", Decimal(0), Decimal(0), False,
                                  f"Limits asked on {where} are within its maximum {cap}.", "fit"))
            continue
        points = -min(LIMIT_PENALTY, LIMIT_PENALTY_CAP - penalty)
        penalty -= points
        code, amount = max(over, key=lambda item: item[1])
        reasons.append(Reason("limits", points, Decimal(0), False,
                              f"Asks {amount} on {line} {code}, above its maximum {cap} for {where}.", "penalty"))
    return reasons


def _exclusions(risk: Risk, appetite: dict) -> list[Reason]:
    listed = appetite.get("exclusions") or []
    if not listed:
        return []
    text = (risk.operations or "").casefold()
    hits = []
    for entry in listed:
        if entry.isdigit() and 2 <= len(entry) <= 6:
            if risk.naics and risk.naics.startswith(entry):
                hits.append(f"NAICS {entry} (insured {risk.naics})")
        elif text and re.search(r"(?<!\w)" + re.escape(entry.casefold()) + r"(?!\w)", text):
            hits.append(f"{entry!r} (in the insured's operations)")
    if hits:
        return [Reason("exclusions", Decimal(0), Decimal(0), True, f"Excludes {'; '.join(hits)}.", "exclusion")]
    if not text:
        return [Reason("exclusions", Decimal(0), Decimal(0), False,
                       "The insured's operations are not described; exclusions checked against NAICS only.", "neutral")]
    return [Reason("exclusions", Decimal(0), Decimal(0), False,
                   f"None of its {len(listed)} exclusions matches the insured.", "fit")]


def _lines(risk: Risk, appetite: dict) -> Reason:
    written = appetite.get("lines") or []
    if not written:
        return Reason("lines", Decimal(20), Decimal(40), False, "The appetite does not list lines of business.")
    covered = [line for line in risk.lines if line in written]
    if not covered:
        return Reason("lines", Decimal(0), Decimal(40), True,
                      f"Writes none of the lines asked for ({', '.join(risk.lines)}).")
    missing = [line for line in risk.lines if line not in written]
    points = Decimal(40) * len(covered) / len(risk.lines)
    detail = f"Writes {', '.join(covered)}" + (f", not {', '.join(missing)}." if missing else ".")
    return Reason("lines", _cents(points), Decimal(40), False, detail)


def _state(risk: Risk, appetite: dict) -> Reason:
    states = appetite.get("states") or []
    if not states:
        return Reason("state", Decimal(10), Decimal(20), False, "The appetite does not list states.")
    if risk.state is None:
        return Reason("state", Decimal(10), Decimal(20), False, "The insured's state is not known.")
    if risk.state in states:
        return Reason("state", Decimal(20), Decimal(20), False, f"Writes in {risk.state}.")
    return Reason("state", Decimal(0), Decimal(20), True, f"Does not write in {risk.state}.")


def _premium(risk: Risk, appetite: dict) -> Reason:
    low, high = _amount(appetite.get("min_premium")), _amount(appetite.get("max_premium"))
    if low is None and high is None:
        return Reason("premium", Decimal(10), Decimal(20), False, "The appetite states no premium range.")
    if risk.premium_basis is None:
        return Reason("premium", Decimal(10), Decimal(20), False, "No target or expiring premium to compare.")
    basis = risk.premium_basis
    if low is not None and basis < low:
        return Reason("premium", Decimal(0), Decimal(20), True, f"Premium {basis} is below the minimum {low}.")
    if high is not None and basis > high:
        return Reason("premium", Decimal(0), Decimal(20), True, f"Premium {basis} is above the maximum {high}.")
    return Reason("premium", Decimal(20), Decimal(20), False, f"Premium {basis} is within the range.")


def _program(risk: Risk, appetite: dict) -> Reason:
    programs = appetite.get("programs") or []
    if not programs:
        return Reason("program", Decimal(5), Decimal(10), False, "The appetite names no programs.")
    if risk.program in programs:
        return Reason("program", Decimal(10), Decimal(10), False, f"Writes the {risk.program} program.")
    return Reason("program", Decimal(0), Decimal(10), True, f"Does not write the {risk.program} program.")


def _class(risk: Risk, appetite: dict) -> Reason:
    excluded = [code for code in appetite.get("excluded_naics") or [] if risk.naics and risk.naics.startswith(code)]
    if excluded:
        return Reason("class", Decimal(0), Decimal(10), True, f"Excludes NAICS {excluded[0]} (insured {risk.naics}).")
    written = appetite.get("naics") or []
    if not written:
        return Reason("class", Decimal(5), Decimal(10), False, "The appetite lists no classes.")
    if risk.naics is None:
        return Reason("class", Decimal(5), Decimal(10), False, "The insured's NAICS code is not known.")
    if any(risk.naics.startswith(code) for code in written):
        return Reason("class", Decimal(10), Decimal(10), False, f"Writes NAICS {risk.naics}.")
    return Reason("class", Decimal(0), Decimal(10), True, f"Does not write NAICS {risk.naics}.")


# -- ranking -------------------------------------------------------------------------

def rank(risk: Risk, candidates: list[Candidate]) -> list[dict]:
    """Every candidate scored and ranked: markets without a hard miss first, then by
    score, appetite fit and market id (the same input always gives the same ranking)."""
    scored = [_scored(risk, candidate) for candidate in candidates]
    scored.sort(key=lambda s: (not s["eligible"], -Decimal(s["score"]), -Decimal(s["appetite_fit"]), s["market_id"]))
    for position, entry in enumerate(scored, start=1):
        entry["rank"] = position
    return scored


def _scored(risk: Risk, candidate: Candidate) -> dict:
    fit = appetite_fit(risk, candidate.appetite)
    history, history_reasons = history_points(candidate.history)
    score = _cents(fit.points * FIT_WEIGHT + history * HISTORY_WEIGHT)
    reasons = [r.to_dict() for r in (*fit.reasons, *history_reasons)]
    if not candidate.admitted:
        reasons.append(Reason("admitted", Decimal(0), Decimal(0), False,
                              "Non-admitted: binding needs the declinations of admitted markets.").to_dict())
    appointment = _appointment(candidate)
    reasons.append(appointment.to_dict())
    if candidate.kind == "wholesaler":
        reasons.append(_reach(risk, candidate).to_dict())
    h = candidate.history
    return {
        "market_id": candidate.market_id, "market_name": candidate.name, "admitted": candidate.admitted,
        "rank": 0, "eligible": fit.eligible and not appointment.hard_miss, "score": _text(score),
        "appetite_fit": _text(_cents(fit.points)), "history_score": _text(history), "reasons": reasons,
        "kind": candidate.kind, "appointment_status": candidate.appointment_status,
        "reachable_carriers": list(candidate.reachable_carriers),
        "reached_through": [dict(w) for w in candidate.reached_through],
        "history": {"sent": h.sent, "quoted": h.quoted, "bound": h.bound,
                    "quote_ratio": _opt(h.quote_ratio), "bind_ratio": _opt(h.bind_ratio),
                    "median_turnaround_days": _opt(h.median_turnaround_days)},
    }


def _appointment(candidate: Candidate) -> Reason:
    detail = candidate.appointment_detail or "Appointed."
    if candidate.can_place:
        return Reason("appointment", Decimal(0), Decimal(0), False, detail, "fit" if
                      candidate.appointment_status == "appointed" else "neutral")
    through = ", ".join(f"{w['market_name']} ({w['market_id']})" for w in candidate.reached_through)
    way = f" Reach it through {through}." if through else " No wholesaler on the book reaches it."
    return Reason("appointment", Decimal(0), Decimal(0), True, detail + way, "miss")


def _reach(risk: Risk, candidate: Candidate) -> Reason:
    carriers = candidate.reachable_carriers
    if not carriers:
        return Reason("reach", Decimal(0), Decimal(0), False,
                      f"Lists no carriers it reaches for {', '.join(risk.lines)}.", "neutral")
    names = ", ".join(f"{c['carrier_name']} ({'admitted' if c['admitted'] else 'non-admitted'})" for c in carriers)
    return Reason("reach", Decimal(0), Decimal(0), False,
                  f"Reaches {len(carriers)} carrier(s) for {', '.join(risk.lines)}: {names}.", "fit")


def _ratio(part: int, whole: int) -> Decimal | None:
    return None if whole == 0 else (Decimal(part) / Decimal(whole)).quantize(Decimal("0.0001"), ROUND_HALF_UP)


def _amount(money: dict | None) -> Decimal | None:
    return None if not money else Decimal(str(money["amount"]))


def _cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, ROUND_HALF_UP)


def _text(value: Decimal) -> str:
    return str(_cents(value))


def _opt(value: Decimal | None) -> str | None:
    return None if value is None else str(value)
