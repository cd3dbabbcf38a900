from services.compliance.api.clients import blp as clients
from services.compliance.api.filings import blp as filings
from services.compliance.api.rules import blp as rules

BLUEPRINTS = [filings, rules, clients]
