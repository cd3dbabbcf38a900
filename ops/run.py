"""Start, stop and inspect the whole platform: migrations, the processes of the Procfile
under honcho (in the background, its own process group), readiness, the demo book.

    python -m ops.run start [--no-seed]     # what `make run` does
    python -m ops.run stop                  # what `make stop` does
    python -m ops.run status
"""
from __future__ import annotations

import argparse
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import requests

from shared.kit.config import REPO_ROOT, SERVICES, load_settings

PROCFILE = REPO_ROOT / "Procfile"


def var_dir() -> Path:
    path = Path(os.environ.get("VAR_DIR") or REPO_ROOT / "var").resolve()
    path.mkdir(parents=True, exist_ok=True)
    return path


def pid_file() -> Path:
    return var_dir() / "platform.pid"


def service_url(service: str) -> str:
    return load_settings(service).service_urls[service]


def process_env() -> dict:
    env = dict(os.environ)
    env["VAR_DIR"] = str(var_dir())
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    env["PYTHONUNBUFFERED"] = "1"
    return env


def migrate_all() -> None:
    from shared.kit.migrations import upgrade

    for service in SERVICES:
        upgrade(service, load_settings(service))


def reset_metrics_dirs() -> None:
    for service in SERVICES:
        path = var_dir() / "prometheus" / service
        shutil.rmtree(path, ignore_errors=True)
        path.mkdir(parents=True)


def running_pid() -> int | None:
    try:
        pid = int(pid_file().read_text())
        os.kill(pid, 0)
        return pid
    except (FileNotFoundError, ValueError, ProcessLookupError, PermissionError):
        return None


def start_processes(log_path: Path) -> int:
    log = open(log_path, "ab")
    proc = subprocess.Popen(
        [sys.executable, "-m", "honcho", "-f", str(PROCFILE), "-d", str(REPO_ROOT), "start"],
        env=process_env(), stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
        start_new_session=True, cwd=REPO_ROOT,
    )
    pid_file().write_text(str(proc.pid))
    return proc.pid


def wait_ready(timeout: float = 90.0) -> dict[str, str]:
    deadline = time.monotonic() + timeout
    pending = {s: service_url(s) for s in SERVICES}
    while pending and time.monotonic() < deadline:
        for service, url in list(pending.items()):
            try:
                if requests.get(f"{url}/readyz", timeout=2).status_code == 200:
                    pending.pop(service)
            except requests.RequestException:
                pass
        if pending:
            time.sleep(0.5)
    if pending:
        raise RuntimeError(f"not ready after {timeout:.0f}s: {', '.join(pending)} (see var/log/platform.log)")
    return {s: service_url(s) for s in SERVICES}


def stop(timeout: float = 20.0) -> bool:
    pid = running_pid()
    if pid is None:
        return False
    try:
        os.killpg(pid, signal.SIGTERM)
    except ProcessLookupError:
        pass
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            os.killpg(pid, 0)
        except ProcessLookupError:
            break
        time.sleep(0.2)
    else:
        os.killpg(pid, signal.SIGKILL)
    pid_file().unlink(missing_ok=True)
    return True


def start(seed: bool = True) -> int:
    if running_pid():
        print("The platform is already running (make stop first).")
        return 1
    (var_dir() / "log").mkdir(exist_ok=True)
    migrate_all()
    reset_metrics_dirs()
    log_path = var_dir() / "log" / "platform.log"
    start_processes(log_path)
    try:
        urls = wait_ready()
    except RuntimeError as exc:
        print(exc)
        stop()
        return 1
    if seed:
        from ops import seed as seed_module

        seed_module.seed_demo_book(urls)
    print_banner(urls, log_path)
    return 0


def print_banner(urls: dict[str, str], log_path: Path) -> None:
    from shared.kit.auth import mint_token

    token = mint_token(load_settings("accounts"), "am.garcia", name="Ana Garcia (demo account manager)",
                       roles=["account_manager", "producer", "admin"], programs=["*"])
    print("\nThe platform is running.\n")
    for service, url in urls.items():
        print(f"  {service:<11} {url}/api/v1/   docs {url}/docs   metrics {url}/metrics")
    print(f"\n  logs        {log_path}")
    print(f"  stop with   make stop\n\nA development token (12 h, admin):\n\n{token}\n")
    print(f"Try:  curl -H 'Authorization: Bearer <token>' {urls['accounts']}/api/v1/clients\n")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ops.run")
    sub = parser.add_subparsers(dest="command", required=True)
    start_p = sub.add_parser("start")
    start_p.add_argument("--no-seed", action="store_true")
    sub.add_parser("stop")
    sub.add_parser("status")
    args = parser.parse_args(argv)
    if args.command == "start":
        return start(seed=not args.no_seed)
    if args.command == "stop":
        print("stopped" if stop() else "not running")
        return 0
    pid = running_pid()
    print(f"running (honcho pid {pid})" if pid else "not running")
    return 0


if __name__ == "__main__":
    sys.exit(main())
