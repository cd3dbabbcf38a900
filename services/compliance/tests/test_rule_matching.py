"""Matching a policy term to the insured's credentials, and the due dates the rules give."""
from datetime import date

import pytest

from services.compliance.domain.deadlines import add_months, cancellation_effective_date
from services.compliance.domain.filings import PolicyTerm, derive_filings, merge_credentials
from services.compliance.domain.rules import rule_by_id, rulebook

DMV = {"kind": "DMV_CA", "number": "CA123456", "expires_on": None}
USDOT = {"kind": "USDOT", "number": "3141592", "expires_on": None}


def term(line: str, effective=date(2027, 2, 25), expiration=date(2028, 2, 25), number=None) -> PolicyTerm:
    return PolicyTerm(number or f"{line}-1", line, "Golden State Casualty Company", effective, expiration)


def derive(credentials, line, trigger="policy_bound", entity_type=None, notice_date=None, **kw):
    return derive_filings(rulebook(), credentials=credentials, policy=term(line, **kw), trigger=trigger,
                          entity_type=entity_type, notice_date=notice_date)


def test_dmv_ca_number_with_a_bound_auto_policy_needs_dmv_65_mcp_by_the_effective_date():
    [filing] = derive([DMV, USDOT], "AUTO")
    assert (filing.rule.id, filing.rule.form, filing.due_on) == ("dmv-mcp-liability", "DMV 65 MCP", date(2027, 2, 25))
    assert filing.credential["number"] == "CA123456"
    assert "formerly MC 65 M" in filing.reason and "§34630" in filing.reason


def test_without_a_dmv_ca_number_a_bound_auto_policy_needs_no_dmv_filing():
    assert derive([USDOT], "AUTO") == []


def test_a_general_liability_policy_needs_no_motor_carrier_filing():
    assert derive([DMV], "GL") == []


def test_cslb_licence_with_workers_comp_needs_the_wc_certificate():
    cslb = {"kind": "CSLB_LICENSE", "number": "1012345", "expires_on": None}
    [filing] = derive([cslb], "WC")
    assert (filing.rule.id, filing.rule.body, filing.due_on) == ("cslb-workers-comp-certificate", "CSLB", date(2027, 2, 25))


def test_cslb_llc_liability_applies_only_to_an_llc():
    cslb = {"kind": "CSLB_LICENSE", "number": "1012345", "expires_on": None}
    assert derive([cslb], "GL", entity_type="corporation") == []
    assert [f.rule.id for f in derive([cslb], "GL", entity_type="llc")] == ["cslb-llc-liability"]


def test_dpr_certificate_is_due_ten_days_after_the_expiring_terms_end():
    dpr = {"kind": "DPR_LICENSE", "number": "PCB-4411", "expires_on": None}
    [filing] = derive([dpr], "GL", effective=date(2027, 6, 30), expiration=date(2028, 6, 30))
    assert (filing.rule.form, filing.due_on) == ("DPR-PML-052", date(2027, 7, 10))


def test_wcirb_unit_statistical_report_is_due_twenty_months_after_inception():
    wcirb = {"kind": "WCIRB_BUREAU", "number": "123-4567", "expires_on": None}
    dues = {f.rule.id: f.due_on for f in derive([wcirb], "WC", effective=date(2027, 1, 31), expiration=date(2028, 1, 31))}
    assert dues == {"wcirb-policy-data-report": date(2027, 3, 2), "wcirb-unit-statistical-report": date(2028, 9, 30)}


def test_a_rule_is_not_applied_to_terms_before_it_took_effect():
    tcp = {"kind": "CPUC_TCP", "number": "TCP-1234", "expires_on": None}
    assert derive([tcp], "AUTO", effective=date(2021, 5, 1), expiration=date(2022, 5, 1)) == []
    assert [f.rule.id for f in derive([tcp], "AUTO", effective=date(2021, 6, 1), expiration=date(2022, 6, 1))] == ["cpuc-tcp-liability"]


def test_a_cancellation_needs_mcp_66_at_notice_and_takes_effect_after_the_notice_period():
    [filing] = derive([DMV], "AUTO", trigger="policy_cancelled", notice_date=date(2027, 5, 1))
    assert (filing.rule.form, filing.due_on) == ("MCP 66", date(2027, 5, 1))
    assert cancellation_effective_date(filing.rule, date(2027, 5, 1)) == date(2027, 5, 31)


def test_a_cancellation_without_its_notice_date_is_refused():
    with pytest.raises(ValueError, match="notice date"):
        derive([DMV], "AUTO", trigger="policy_cancelled")


def test_renewal_recorded_in_accounts_needs_the_same_evidence_as_a_bind():
    assert [f.rule.id for f in derive([DMV], "AUTO", trigger="policy_renewed")] == ["dmv-mcp-liability"]


def test_good_until_cancelled_filings_follow_the_policy_number_and_per_term_ones_the_term():
    dmv, = derive([DMV], "AUTO")
    wcirb = derive([{"kind": "WCIRB_BUREAU", "number": "1", "expires_on": None}], "WC")
    assert dmv.term_key == "" and all(f.term_key == "2027-02-25" for f in wcirb)


@pytest.mark.parametrize("start, months, expected", [
    (date(2027, 1, 31), 1, date(2027, 2, 28)), (date(2028, 1, 31), 1, date(2028, 2, 29)),
    (date(2027, 11, 15), 20, date(2029, 7, 15)), (date(2027, 3, 1), 0, date(2027, 3, 1)),
])
def test_months_are_added_to_the_same_day_clamped_to_month_end(start, months, expected):
    assert add_months(start, months) == expected


def test_credentials_from_the_event_and_the_read_model_are_merged_once_each():
    merged = merge_credentials([DMV], [DMV, {"kind": "MC", "number": "MC987654"}])
    assert [(c["kind"], c["number"]) for c in merged] == [("DMV_CA", "CA123456"), ("MC", "MC987654")]


def test_rules_are_found_by_id():
    assert rule_by_id("fmcsa-bmc91x-liability").form == "BMC-91X"
    assert rule_by_id("no-such-rule") is None


def test_a_cancellation_takes_effect_with_the_body_no_earlier_than_coverage_ends():
    rule = rule_by_id("dmv-mcp-liability-cancellation")
    assert cancellation_effective_date(rule, date(2027, 5, 1), coverage_ends=date(2027, 5, 11)) == date(2027, 5, 31)
    assert cancellation_effective_date(rule, date(2027, 5, 1), coverage_ends=date(2027, 7, 1)) == date(2027, 7, 1)


def test_a_confirmed_cancellation_derives_its_notices_with_reason_and_dates():
    from services.compliance.domain.filings import Cancellation

    cancellation = Cancellation(date(2027, 1, 15), coverage_ends=date(2027, 1, 31), reason="non_payment",
                                requested_by="carrier")
    wcirb = {"kind": "WCIRB_BUREAU", "number": "123-4567", "expires_on": None}
    [filing] = derive_filings(rulebook(), credentials=[wcirb], policy=term("WC"), trigger="policy_cancelled",
                              cancellation=cancellation)
    assert (filing.notice_date, filing.due_on, filing.body_effective_on) == (
        date(2027, 1, 15), date(2027, 2, 14), date(2027, 1, 31))  # 10 days for non-payment: coverage end rules
    assert "non payment, requested by carrier; notice 2027-01-15, coverage ends 2027-01-31" in filing.reason
