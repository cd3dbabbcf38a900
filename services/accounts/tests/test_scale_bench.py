"""The scale benchmark (bench/accounts_scale.py) at a few hundred clients, so it cannot rot:
the seeder writes a consistent book through COPY, and every measured request answers 200
through the real app."""
from __future__ import annotations

import psycopg
import pytest

from bench.accounts_scale import INFORMATIONAL, QUERIES, Measured, measure, table
from bench.accounts_seed import conninfo, seed
from shared import testing
from shared.contracts.types import CoverageSchema
from shared.kit.db import utcnow
from shared.kit.migrations import upgrade

pytestmark = pytest.mark.postgres


def test_the_benchmark_seeds_a_consistent_book_and_measures_every_query(postgres_url_for, tmp_path):
    url = postgres_url_for("accounts_scale")
    settings = testing.embedded_settings("accounts", tmp_path, database_url=url)
    upgrade("accounts", settings)
    book = seed(url, 300, today=utcnow().date(), log=lambda *_: None)

    assert (book.rows["clients"], book.rows["policies"], book.rows["activities"]) == (300, 900, 3000)
    assert sum(len(c) for c in book.clients_by_program.values()) == 300
    assert 40 <= len(book.managers) <= 50 and all(1 <= len(p) <= 2 for p in book.managers.values())
    with psycopg.connect(conninfo(url)) as conn:
        # Loaded with foreign-key triggers off: every reference must still resolve.
        orphans = conn.execute("""
            SELECT (SELECT count(*) FROM policies p LEFT JOIN clients c ON c.id = p.client_id WHERE c.id IS NULL)
                 + (SELECT count(*) FROM activities a LEFT JOIN clients c ON c.id = a.client_id WHERE c.id IS NULL)
                 + (SELECT count(*) FROM activities a LEFT JOIN policies p ON p.id = a.policy_id
                    WHERE a.policy_id IS NOT NULL AND p.id IS NULL)
                 + (SELECT count(*) FROM policies p LEFT JOIN policies r ON r.id = p.replaces_policy_id
                    WHERE p.replaces_policy_id IS NOT NULL AND r.id IS NULL)""").fetchone()[0]
        assert orphans == 0
        counts = dict(conn.execute("SELECT status, count(*) FROM activities GROUP BY status").fetchall())
        assert 0.1 < counts["open"] / 3000 < 0.4
        # The indexes dropped for the load are back.
        indexes = {row[0] for row in conn.execute("SELECT indexname FROM pg_indexes WHERE tablename = 'policies'")}
        assert {"ix_policies_expiration_id", "ix_policies_status_expiration"} <= indexes
        coverages = conn.execute("SELECT coverages FROM policies LIMIT 20").fetchall()
    for (records,) in coverages:
        CoverageSchema(many=True).load(records)  # typed coverage records the API would accept

    p50, p95, database = measure(settings, book, requests=4, warmup=1, log=lambda *_: None)
    assert set(p95) == set(QUERIES + INFORMATIONAL) and all(value > 0 for value in p95.values())
    assert all(statements >= 1 for _ms, statements in database.values())
    measured = Measured(300, p50, p95, book, database)
    report, _passed = table(measured, measured)
    assert all(name in report for name in QUERIES) and "1.00x" in report and "time in the database" in report
