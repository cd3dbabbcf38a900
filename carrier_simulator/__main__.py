"""``python -m carrier_simulator [--fleet FILE] [--markets id1,id2] [--once]``

Plays the fleet's markets against the platform's broker (``BROKER_URL``, else the
filesystem transport under ``VAR_DIR``).  With ``SIM_PER_MARKET_USERS=1`` on RabbitMQ each
market connects as its own broker user (``sim-<id>``), as a real carrier would."""
from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
import threading

from shared.kit.config import load_settings

from carrier_simulator.fleet import DEFAULT_FLEET, load_fleet, select
from carrier_simulator.runner import Simulator


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m carrier_simulator", description=__doc__.split("\n\n")[1])
    parser.add_argument("--fleet", default=str(DEFAULT_FLEET), help="fleet file (default: the demo fleet)")
    parser.add_argument("--markets", default="", help="comma-separated market ids (default: every market)")
    parser.add_argument("--once", action="store_true",
                        help="answer what is waiting, then exit when nothing is due and the inboxes are quiet")
    parser.add_argument("--idle", type=float, default=2.0, help="quiet seconds before --once exits (default 2)")
    parser.add_argument("--time-scale", type=float, default=float(os.environ.get("SIM_TIME_SCALE", "1")),
                        help="multiply every market's delays (0 answers at once; env SIM_TIME_SCALE)")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    logging.basicConfig(level=logging.INFO, stream=sys.stderr,
                        format="%(asctime)s %(levelname)s %(name)s %(message)s")
    for noisy in ("amqp", "kombu"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    ids = [i.strip() for i in args.markets.split(",") if i.strip()]
    markets = select(load_fleet(args.fleet), ids)
    settings = load_settings("simulator")
    per_market = os.environ.get("SIM_PER_MARKET_USERS", "") in ("1", "true", "yes")
    simulator = Simulator(settings, markets, per_market_users=per_market, time_scale=args.time_scale)
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    logging.getLogger("carrier_simulator").info(
        "simulating %s on %s", ", ".join(m.id for m in markets),
        "the filesystem transport" if settings.broker_is_filesystem else "RabbitMQ")
    simulator.run(stop, once=args.once, idle_seconds=args.idle)
    return 0


if __name__ == "__main__":
    sys.exit(main())
