"""Smoke test of ``bench/quote_latency.py`` on the real servers, with a handful of quotes:
every quote published shows in the comparison API, after its commit, and the report
lines come out."""
import pytest

from shared import testing

pytestmark = [pytest.mark.rabbitmq, pytest.mark.postgres]


def test_quote_latency_bench_sees_every_quote(tmp_path, capsys):
    testing.require_server("RabbitMQ", testing.rabbitmq_available())
    testing.require_server("PostgreSQL", testing.postgres_available())
    from bench import quote_latency

    result = quote_latency.run(count=6, rate=20, references=2, var_dir=tmp_path)

    for phase in ("one_at_a_time", "steady"):
        figures = result[phase]
        assert figures["count"] == 6
        assert 0 < figures["p50"] <= figures["p95"] <= figures["p99"] <= figures["max"] < quote_latency.TIMEOUT
        assert 0 < figures["stored"]["p50"] <= figures["stored"]["max"]
    # one at a time, the comparison is read only after the commit was seen
    assert result["one_at_a_time"]["stored"]["max"] <= result["one_at_a_time"]["max"]
    assert 0 < result["raw_round_trip"]["p50"] < result["one_at_a_time"]["p50"]
    assert result["meets"] == (max(result["one_at_a_time"]["p95"], result["steady"]["p95"]) <= 0.100)
    lines = [line for line in capsys.readouterr().out.splitlines() if line.startswith("[latency]")]
    assert len(lines) == 3 and "p95" in lines[0] and "raw kombu" in lines[0]
