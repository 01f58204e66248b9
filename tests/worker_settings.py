"""Settings for a real Celery worker started by a test: the production settings (from the
environment the test passes) plus the test's fake obligations provider."""

from brandcampaign.settings import *  # noqa: F403

from tests.campaigns.fake_obligations import install_from_env

install_from_env()
