"""Helpers shared by the judging services."""

import re
from decimal import Decimal


from audit import log as audit
from core import versioning
from core.policy import Refused

from .. import policy
from ..models import JudgingTrack


WHOLE_NUMBER = re.compile(r"^-?[0-9]{1,4}$")


JudgingError = Refused  # a refused action, with a message for the user (Chinese)


def _snap(obj, fields=None):
    """audit.snapshot with Decimals as strings (JSON-safe)."""
    return {k: str(v) if isinstance(v, Decimal) else v for k, v in audit.snapshot(obj, fields).items()}


def _bump(obj, fields):
    obj.version += 1
    obj.save(update_fields=[*fields, "version"])


def _locked_track(track, action=None, by=None, expected_version=versioning.UNCHECKED):
    """Lock the track, check the editor's version, and ask the TRACK policy for `action`."""
    current = versioning.lock(JudgingTrack.objects, track.pk, expected_version)
    if action is not None:
        policy.TRACK.require(action, by, current)
    return current


def _require_admin(by):
    if not policy.is_zzb_admin(by):
        raise Refused(policy.ADMIN_ONLY)

