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


def post_worker_init(worker):
    """Once the worker has loaded the app: freeze what importing it created out of the
    cyclic collector's sight and collect the young generation less often, as the service
    workers do (shared.kit.worker.tune_garbage_collector). A request's objects are freed by
    reference counting; the default thresholds rescanned the whole app every 700
    allocations, which showed as latency spikes under steady load."""
    from shared.kit.worker import tune_garbage_collector

    tune_garbage_collector()
