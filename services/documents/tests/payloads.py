"""Document requests for the tests: the golden examples, and a fuller comparison (two
options, one surplus lines with taxes, a lower limit, a coverage not offered, a
declination) built from the same contract."""
from __future__ import annotations

import copy
import uuid

from shared.testing import examples


def golden_request(kind: str) -> dict:
    """The data of the golden documents.document.requested example of ``kind``."""
    for envelope in examples("documents.document.requested"):
        if envelope["data"]["kind"] == kind:
            return copy.deepcopy(envelope["data"])
    raise LookupError(kind)


def money(amount: str) -> dict:
    return {"amount": amount, "currency": "USD"}


def limit(kind: str, amount: str | None) -> dict:
    return {"kind": kind, "amount": money(amount) if amount else None}


def terms(limits, deductible=None, premium=None, exclusions=()):
    return {"limits": limits, "deductible": {"kind": "deductible", "amount": money(deductible)} if deductible else None,
            "premium": money(premium) if premium else None, "exclusions": list(exclusions)}


GL_SPEC = [limit("each_occurrence", "1000000"), limit("general_aggregate", "2000000")]
AUTO_SPEC = [limit("combined_single_limit", "1000000")]


def gl(quoted, flags=()):
    return {"line_of_business": "GL", "code": "CGL", "description": "Commercial general liability",
            "requested": terms(GL_SPEC, "1000"), "expiring": terms(GL_SPEC, "1000", "8400.00"),
            "quoted": quoted, "flags": list(flags)}


def auto(quoted, flags=()):
    return {"line_of_business": "AUTO", "code": "LIAB", "description": "Auto liability, symbol 1",
            "requested": terms(AUTO_SPEC), "expiring": terms(AUTO_SPEC, premium="35600.00"),
            "quoted": quoted, "flags": list(flags)}


def option_admitted() -> dict:
    return {
        "quote_id": "q-admitted", "market_id": "golden-state", "market_name": "Golden State Casualty",
        "carrier_name": "Golden State Casualty Company", "admitted": True, "am_best_rating": "A",
        "status": "quoted", "revision": 1, "premium": money("46500.00"),
        "taxes_fees": [{"kind": "policy_fee", "description": "Carrier policy fee", "amount": money("250.00")}],
        "total_cost": money("46750.00"),
        "change_vs_expiring": {"amount": money("2750.00"), "percent": "6.25"},
        "valid_until": "2027-02-20", "subjectivities": ["Signed driver list with MVRs"], "rank": 1,
        "flag_count": 0,
        "coverages": [gl(terms(GL_SPEC, "1000", "9100.00")), auto(terms(AUTO_SPEC, premium="37400.00"))],
    }


def option_surplus() -> dict:
    lower = [limit("each_occurrence", "500000"), limit("general_aggregate", "1000000")]
    return {
        "quote_id": "q-surplus", "market_id": "pacific-es", "market_name": "Pacific E&S Brokers",
        "carrier_name": "Lexington Specialty Insurance Company", "admitted": False, "am_best_rating": "A+",
        "status": "quoted", "revision": 2, "premium": money("7000.00"),
        "taxes_fees": [
            {"kind": "surplus_lines_tax", "description": "CA surplus lines tax 3%", "amount": money("210.00")},
            {"kind": "stamping_fee", "description": "CA stamping fee 0.18%", "amount": money("12.60")},
        ],
        "total_cost": money("7222.60"), "change_vs_expiring": None, "valid_until": "2027-02-15",
        "subjectivities": ["Loss runs for 5 years", "Signed D-1 statement"], "rank": 2, "flag_count": 3,
        "coverages": [
            gl(terms(lower, "2500", "7000.00", ["Designated operations exclusion"]), flags=[
                {"kind": "lower_limit", "detail": "Each occurrence 500,000 against 1,000,000 requested", "severity": "critical"},
                {"kind": "higher_deductible", "detail": "Deductible 2,500 against 1,000 requested", "severity": "warning"},
                {"kind": "new_exclusion", "detail": "Designated operations exclusion", "severity": "warning"},
            ]),
            auto(None, flags=[{"kind": "missing_coverage", "detail": "Auto liability not offered", "severity": "critical"}]),
        ],
    }


def full_document(recommended_quote_id: str | None = None) -> dict:
    """A ComparisonDocumentSchema payload (JSON form) with two options."""
    return {
        "comparison": {
            "submission_id": "sub-1", "client_id": "client-1", "program": "transportation",
            "insured_name": "Delta Valley Freight LLC", "effective_date": "2027-02-25",
            "expiration_date": "2028-02-25", "lines": ["GL", "AUTO"],
            "expiring": [
                {"line_of_business": "GL", "policy_id": "p-1", "policy_number": "SMG-1",
                 "carrier_name": "Sierra Mutual Insurance Company", "premium": money("8400.00")},
                {"line_of_business": "AUTO", "policy_id": "p-2", "policy_number": "SMA-2",
                 "carrier_name": "Sierra Mutual Insurance Company", "premium": money("35600.00")},
            ],
            "expiring_premium": money("44000.00"),
            "options": [option_admitted(), option_surplus()],
            "declinations": [{"market_id": "pacific-crest", "market_name": "Pacific Crest Specialty",
                              "reason": "Fleet radius exceeds appetite"}],
            "generated_at": "2026-11-27T18:30:00+00:00",
        },
        "agency": {"name": "Sacramento Programs Insurance Services", "license_number": "0K12345",
                   "address": "1 Capitol Mall, Sacramento, CA 95814", "phone": "916-555-0100"},
        "prepared_by": "am.garcia", "prepared_on": "2026-11-27",
        "recommended_quote_id": recommended_quote_id,
    }


def render_body(kind: str = "comparison_xlsx", **overrides) -> dict:
    body = {"kind": kind, "client_id": "client-1", "program": "transportation", "subject_type": "submission",
            "subject_id": "sub-1", "title": "Renewal premium comparison 2027", "payload": full_document()}
    body.update(overrides)
    return body


def request_envelope(data: dict, message_id: str | None = None) -> dict:
    """A documents.document.requested envelope around ``data`` (based on the golden one)."""
    envelope = copy.deepcopy(examples("documents.document.requested")[0])
    envelope["id"] = message_id or str(uuid.uuid4())
    envelope["data"] = data
    return envelope


def submission_document(kind: str = "submission_letter") -> dict:
    """A SubmissionDocumentSchema payload (JSON form): the golden example of ``kind``."""
    return golden_request(kind)["payload"]
