"""The service keeps the shape every service has: domain logic free of Flask and kombu,
and the command line every service offers."""
import subprocess
import sys

from shared.kit.config import REPO_ROOT


def test_domain_imports_neither_flask_nor_kombu():
    probe = ("import sys, services.documents.domain.generation, services.documents.domain.listing; "
             "print(sorted(m for m in ('flask', 'kombu') if m in sys.modules))")
    result = subprocess.run([sys.executable, "-c", probe], cwd=REPO_ROOT, capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"


def test_command_line_offers_the_common_commands():
    result = subprocess.run([sys.executable, "-m", "services.documents", "--help"], cwd=REPO_ROOT,
                            capture_output=True, text=True, check=True)
    for command in ("migrate", "worker", "web", "token"):
        assert command in result.stdout
