"""The command line every service offers: ``python -m services.<name> <command>``.

Common commands: ``migrate``, ``worker``, ``web`` (gunicorn), ``token`` (a development
JWT).  A service adds its own (``renewal-scan``, ``seed`` …)."""
from __future__ import annotations

import argparse
import os
import sys
from typing import Callable

from shared.kit.config import load_settings


def run_cli(service: str, *, worker: Callable[[], None], app_path: str,
            commands: dict[str, tuple[str, Callable[[argparse.Namespace], int | None], Callable[[argparse.ArgumentParser], None] | None]] | None = None,
            argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog=f"python -m services.{service}")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("migrate", help="apply database migrations (Alembic upgrade head)")
    sub.add_parser("worker", help="run the consumer and the outbox relay")
    web = sub.add_parser("web", help="serve the HTTP API with gunicorn")
    web.add_argument("--workers", type=int, default=int(os.environ.get("WEB_CONCURRENCY", "2")))
    token = sub.add_parser("token", help="print a development bearer token")
    token.add_argument("--user", default="am.demo")
    token.add_argument("--name", default=None)
    token.add_argument("--roles", default="account_manager")
    token.add_argument("--programs", default="*")
    token.add_argument("--hours", type=float, default=12)
    extra = commands or {}
    for name, (help_text, _fn, configure) in extra.items():
        p = sub.add_parser(name, help=help_text)
        if configure:
            configure(p)
    args = parser.parse_args(argv)
    if args.command == "migrate":
        from shared.kit.migrations import upgrade

        upgrade(service)
        print(f"{service}: database migrated")
        return 0
    if args.command == "worker":
        worker()
        return 0
    if args.command == "web":
        settings = load_settings(service)
        from shared.kit.config import REPO_ROOT

        os.execvp(sys.executable, [
            sys.executable, "-m", "gunicorn", "-c", str(REPO_ROOT / "deploy" / "gunicorn.conf.py"),
            "--bind", f"127.0.0.1:{settings.port}" if not os.environ.get("BIND") else os.environ["BIND"],
            "--workers", str(args.workers), app_path,
        ])
    if args.command == "token":
        from datetime import timedelta

        from shared.kit.auth import mint_token

        print(mint_token(load_settings(service), args.user, name=args.name,
                         roles=[r for r in args.roles.split(",") if r],
                         programs=[p for p in args.programs.split(",") if p], ttl=timedelta(hours=args.hours)))
        return 0
    return extra[args.command][1](args) or 0
