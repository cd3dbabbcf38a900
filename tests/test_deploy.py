"""deploy/ stays in step with the Procfile: every process runs in compose, every web
server and worker is scraped, alert rules parse and name metrics the platform exports."""
import re
from pathlib import Path

import yaml

from shared.kit.config import REPO_ROOT, SERVICES
from shared.kit import metrics

DEPLOY = REPO_ROOT / "deploy"


def _compose():
    return yaml.safe_load((DEPLOY / "compose.yaml").read_text())["services"]


def test_every_procfile_process_runs_in_compose():
    procfile = dict(line.split(":", 1) for line in (REPO_ROOT / "Procfile").read_text().splitlines() if line.strip())
    compose = _compose()
    for name, command in procfile.items():
        module_args = re.search(r"python -m (\S+)(?: (\w+))?", command).groups()
        wanted = ["python", "-m", module_args[0]] + ([module_args[1]] if module_args[1] else [])
        assert any(service.get("command") == wanted for service in compose.values()), f"{name} not in compose"


def test_every_web_server_and_worker_is_scraped():
    config = yaml.safe_load((DEPLOY / "prometheus.yml").read_text())
    targets = {t for job in config["scrape_configs"] for group in job.get("static_configs", [])
               for t in group["targets"]}
    # A worker run as several replicas is found by DNS (one target per replica).
    targets |= {f"{name}:{sd['port']}" for job in config["scrape_configs"] for sd in job.get("dns_sd_configs", [])
                for name in sd["names"]}
    compose = _compose()
    for service in SERVICES:
        assert f"{service}:8000" in targets
        assert f"{service}-worker:9100" in targets
        assert compose[f"{service}-worker"]["environment"]["METRICS_PORT"] == "9100"


def test_alert_rules_use_exported_metrics():
    rules = yaml.safe_load((DEPLOY / "alerts.yml").read_text())["groups"][0]["rules"]
    exported = {m._name for m in vars(metrics).values() if hasattr(m, "_name")} | {"filings_overdue"}
    functions = {"max", "sum", "rate", "increase", "histogram_quantile", "by"}
    for rule in rules:
        # Metric names are the identifiers with an underscore (labels here have none).
        used = {w for w in re.findall(r"\b[a-z][a-z_]*\b", rule["expr"]) if "_" in w} - functions
        assert used, rule["alert"]
        for name in used:
            assert any(name.startswith(base) for base in exported), f"{rule['alert']}: {name} is not exported"
