"""Marketing's business rules.  ``comparison``, ``intake`` and ``renewal`` are pure
functions over plain data; the other modules apply them to the database inside the
caller's session (no Flask, no kombu: the HTTP API and the message handlers share them)."""
