from services.marketing.api.binds import blp as binds
from services.marketing.api.market_book import blp as market_book
from services.marketing.api.markets import blp as markets
from services.marketing.api.quotes import blp as quotes
from services.marketing.api.submission_markets import blp as submission_markets
from services.marketing.api.submissions import blp as submissions

BLUEPRINTS = [markets, market_book, submissions, submission_markets, quotes, binds]
