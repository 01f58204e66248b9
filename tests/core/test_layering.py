"""The architecture's promises that import-linter cannot see."""

import pytest
from django.apps import apps

from core import versioning
from core.concurrency import StaleEdit


def test_core_is_a_model_free_library():
    assert list(apps.get_app_config("core").get_models()) == []


def test_audit_log_keeps_its_table_after_moving_out_of_core():
    assert apps.get_model("audit", "AuditEntry")._meta.db_table == "core_auditentry"


@pytest.mark.parametrize("raw", [None, "", " ", "abc", "1.5", "-1", "１", "1e3", "9" * 40, True, -3, "0x10"])
def test_a_missing_or_malformed_version_is_refused_as_stale(raw):
    with pytest.raises(StaleEdit):
        versioning.parse(raw)


@pytest.mark.parametrize("raw, value", [("0", 0), (" 7 ", 7), (12, 12)])
def test_a_well_formed_version_is_read(raw, value):
    assert versioning.parse(raw) == value
