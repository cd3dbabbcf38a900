"""gunicorn settings shared by every service's HTTP server."""
import os

worker_class = "sync"
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
threads = 1
timeout = 30
graceful_timeout = 10
keepalive = 5
accesslog = None
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info")
# Engines and broker connections are created lazily in each worker after the fork.
preload_app = False
# Several gunicorn masters run side by side (one per service): no shared control socket.
control_socket_disable = True


def child_exit(server, worker):
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
