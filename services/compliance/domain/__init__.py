"""Compliance business rules: regulatory filing rules (data), deadlines, the filing
lifecycle and what a client's credentials require.  No Flask, no kombu."""
