"""The accounts business rules: plain functions over a SQLAlchemy session (no Flask, no
kombu).  The HTTP API, the message handlers and the command line all call these."""
