"""A fleet of simulated carriers and wholesale brokers that answer submissions over the
broker, speaking only the public carrier contract (``shared.contracts.carrier``)."""
