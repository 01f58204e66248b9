"""Storage housekeeping (model-free)."""

import logging

from django.db import transaction

log = logging.getLogger(__name__)


def delete_file_on_commit(storage, name):
    """Delete a replaced file once the change that replaced it is committed (never for a rolled-back one)."""
    if not name:
        return

    def go():
        try:
            storage.delete(name)
        except Exception:  # noqa: BLE001 - a leftover file is logged, not an error for the user
            log.warning("could not delete replaced file %s", name, exc_info=True)

    transaction.on_commit(go)
