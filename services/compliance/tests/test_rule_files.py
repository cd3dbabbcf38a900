"""The rule files are data: each validates against the rule schema, and a broken one stops
the service from loading its rules."""
import json
import shutil
from pathlib import Path

import pytest

from services.compliance.domain.rule_schema import BODIES
from services.compliance.domain.rules import RULES_DIR, RuleFileError, load_rule_file, load_rules

RULE_FILES = sorted(RULES_DIR.glob("*.json"))


@pytest.mark.parametrize("path", RULE_FILES, ids=lambda p: p.name)
def test_every_rule_file_validates(path):
    rules = load_rule_file(path)
    assert rules and all(rule.body.lower() == path.stem for rule in rules)
    assert all(rule.citation and rule.form for rule in rules)


def test_there_is_one_rule_file_per_body():
    assert sorted(p.stem for p in RULE_FILES) == sorted(body.lower() for body in BODIES)


def test_rule_ids_are_unique_across_files():
    rules = load_rules()
    assert len({r.id for r in rules}) == len(rules)


def test_only_the_fact_regulators_md_marks_verified_is_verified():
    verified = [r.id for r in load_rules() if r.verified]
    assert verified == ["dmv-mcp-liability-cancellation"]
    assert not any(limit["verified"] for r in load_rules() for limit in r.minimum_limits)


def test_the_dmv_motor_carrier_permit_rule_names_the_current_and_former_form():
    rule = next(r for r in load_rules() if r.id == "dmv-mcp-liability")
    assert (rule.form, rule.former_forms, rule.credential_kind) == ("DMV 65 MCP", ("MC 65 M",), "DMV_CA")
    assert rule.form_label == "DMV 65 MCP (formerly MC 65 M)"
    cancellation = next(r for r in load_rules() if r.id == "dmv-mcp-liability-cancellation")
    assert (cancellation.form, cancellation.notice_period_days) == ("MCP 66", 30)


def _copy_rules(tmp_path: Path) -> Path:
    target = tmp_path / "rules"
    shutil.copytree(RULES_DIR, target)
    return target


def _edit(path: Path, change):
    data = json.loads(path.read_text())
    change(data)
    path.write_text(json.dumps(data))


@pytest.mark.parametrize("change, complaint", [
    (lambda d: d["rules"][0].pop("citation"), "citation"),
    (lambda d: d["rules"][0].update(credential_kind="DMV_XX"), "credential_kind"),
    (lambda d: d["rules"][0].update(lines_of_business=["AUTO", "BOATS"]), "lines_of_business"),
    (lambda d: d["rules"][0].update(triggers=["policy_sneezed"]), "triggers"),
    (lambda d: d["rules"][0].update(verified="yes"), "verified"),
    (lambda d: d["rules"][0].update(effective_from="someday"), "effective_from"),
    (lambda d: d["rules"][0].update(surprise=True), "surprise"),
    (lambda d: d["rules"][2].update(notice_period_days=None), "notice_period_days"),
    (lambda d: d["rules"][0]["due"].update(anchor="notice_date"), "due"),
    (lambda d: d["rules"][0]["minimum_limits"].append({"kind": "aggregate", "amount": {"amount": 1.5}, "verified": False}), "amount"),
    (lambda d: d.update(body="CPUC"), "cpuc.json"),
    (lambda d: d["rules"][2].update(notice_period_days_by_reason={"bad_weather": 5}), "notice_period_days_by_reason"),
    (lambda d: d["rules"][2].update(notice_period_days_by_reason={"non_payment": 0}), "notice_period_days_by_reason"),
    (lambda d: d["rules"][0].update(notice_period_days_by_reason={"non_payment": 10}), "notice_period_days_by_reason"),
])
def test_an_invalid_rule_file_is_refused_with_the_reason(tmp_path, change, complaint):
    directory = _copy_rules(tmp_path)
    _edit(directory / "dmv.json", change)
    with pytest.raises(RuleFileError) as refused:
        load_rules(directory)
    assert "dmv.json" in str(refused.value) and complaint in str(refused.value)


def test_malformed_json_in_a_rule_file_is_refused(tmp_path):
    directory = _copy_rules(tmp_path)
    (directory / "dpr.json").write_text("{not json")
    with pytest.raises(RuleFileError, match="dpr.json"):
        load_rules(directory)


def test_a_rule_id_defined_twice_is_refused(tmp_path):
    directory = _copy_rules(tmp_path)
    _edit(directory / "fmcsa.json", lambda d: d["rules"][0].update(id="dmv-mcp-liability"))
    with pytest.raises(RuleFileError, match="defined twice"):
        load_rules(directory)


def test_a_notice_period_may_depend_on_the_cancellations_reason():
    wcirb = next(r for r in load_rules() if r.id == "wcirb-cancellation-report")
    assert wcirb.notice_period_days_by_reason == {"non_payment": 10}
    assert (wcirb.notice_period_for("non_payment"), wcirb.notice_period_for("underwriting"),
            wcirb.notice_period_for(None)) == (10, 30, 30)
