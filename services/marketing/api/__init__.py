from services.marketing.api.binds import blp as binds
from services.marketing.api.markets import blp as markets
from services.marketing.api.quotes import blp as quotes
from services.marketing.api.submissions import blp as submissions

BLUEPRINTS = [markets, submissions, quotes, binds]
