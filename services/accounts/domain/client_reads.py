"""One account with everything its page shows, in one statement on PostgreSQL.

``GET /clients/<id>`` shows the client with its credentials, policy terms, contacts,
locations and file set-up progress.  Through the ORM that is five statements (and, per
statement, a few hundred microseconds of Python building and loading it); on PostgreSQL
one statement aggregates each list with ``json_agg`` in the order the ORM relationships
give, and :mod:`shared.kit.jsonrows` rebuilds objects with the ORM's types, so the same
presenter shows both.  SQLite (the embedded default) keeps the ORM path; a test on
PostgreSQL holds the two equal.
"""
from __future__ import annotations

from types import SimpleNamespace

from sqlalchemy.orm import Session

from services.accounts.domain.checklists import progress
from services.accounts.domain.clients import get_client
from services.accounts.domain.errors import NotFound
from services.accounts.models import Client, Contact, Credential, Location, Policy
from shared.kit import jsonrows

# The orders are the relationships' (models.Client), each with the id last so ties are stable.
_ACCOUNT = """
SELECT row_to_json(c)::text,
  (SELECT coalesce(json_agg(x ORDER BY x.kind, x.id), '[]')::text FROM credentials x WHERE x.client_id = c.id),
  (SELECT coalesce(json_agg(x ORDER BY x.expiration_date DESC, x.id), '[]')::text
     FROM policies x WHERE x.client_id = c.id),
  (SELECT coalesce(json_agg(x ORDER BY x.is_primary DESC, x.name, x.id), '[]')::text
     FROM contacts x WHERE x.client_id = c.id),
  (SELECT coalesce(json_agg(x ORDER BY x.number), '[]')::text FROM locations x WHERE x.client_id = c.id),
  (SELECT coalesce(json_agg(json_build_object('checklist_id', k.id, 'kind', k.kind, 'policy_id', k.policy_id,
                                              'done', k.done, 'total', k.total) ORDER BY k.created_at, k.id),
                   '[]')::text
     FROM (SELECT ch.id, ch.kind, ch.policy_id, ch.created_at, count(i.id) AS total,
                  sum(CASE WHEN i.done_at IS NOT NULL THEN 1 ELSE 0 END) AS done
             FROM checklists ch JOIN checklist_items i ON i.checklist_id = ch.id
            WHERE ch.client_id = c.id
            GROUP BY ch.id, ch.kind, ch.policy_id, ch.created_at) k)
FROM clients c WHERE c.id = %(id)s
"""


def account(session: Session, client_id: str) -> tuple[Client | SimpleNamespace, list[dict]]:
    """(the client with credentials, policies, contacts and locations; its file set-up
    progress as :func:`checklists.progress` gives it).  NotFound when there is none.
    On PostgreSQL this reads committed data on a connection of its own, outside the
    session's transaction: for read-only requests."""
    dialect = session.get_bind().dialect
    if dialect.name != "postgresql":
        client = get_client(session, client_id, with_parts=True)
        return client, progress(session, client.id)
    row = jsonrows.fetch_one(session.get_bind(), _ACCOUNT, {"id": client_id})
    if row is None:
        raise NotFound(f"No client {client_id}.")
    client_json, credentials, policies, contacts, locations, checklists = row
    client = jsonrows.rebuild(Client, jsonrows.loads(client_json), dialect)
    client.credentials = [jsonrows.rebuild(Credential, x, dialect, client=client) for x in jsonrows.loads(credentials)]
    client.policies = [jsonrows.rebuild(Policy, x, dialect, client=client) for x in jsonrows.loads(policies)]
    client.contacts = [jsonrows.rebuild(Contact, x, dialect, client=client) for x in jsonrows.loads(contacts)]
    client.locations = [jsonrows.rebuild(Location, x, dialect, client=client) for x in jsonrows.loads(locations)]
    return client, [{**item, "done": int(item["done"] or 0), "total": int(item["total"])}
                    for item in jsonrows.loads(checklists)]
