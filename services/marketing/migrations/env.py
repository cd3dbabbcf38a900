from services.marketing.models import metadata
from shared.kit.migrations import run_env

run_env(metadata)
