"""Settings for a real Celery worker started by a test: the production settings (from the
environment the test passes) plus the test's fake obligations provider."""

import os

from brandcampaign.settings import *  # noqa: F403

from tests.campaigns.fake_obligations import install_from_env

install_from_env()

# Tasks the worker itself queues (e.g. the 企业微信 app notices recorded while delivering a reminder)
# go to the test's private queue, not to the shared default one.
CELERY_TASK_DEFAULT_QUEUE = os.environ.get("TEST_CELERY_QUEUE", "celery")  # noqa: F405
