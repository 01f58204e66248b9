"""Every state change of the 十佳 judging: transactional, validated, version-checked, audited.

Window, lock, conflict and stage rules are enforced here, so every path (view, admin, task,
import) gets them. One module per part of the track's life:

- `setup`: the track, its rubric, its judges, assignments and declared conflicts
- `scoring`: round 1 opens, judges score and submit their sheets, 组织部 closes, committee votes
- `decision`: 拟表彰名单, 审定 (online or on paper), 公示 and objections, 公布

Callers import the package (`from reviews import services`); the names below are its API."""

from ._common import WHOLE_NUMBER, JudgingError
from .decision import (
    MINUTES_MAX, OBJECTION_MAX, add_working_days, approve, approve_online, file_objection, handle_objection,
    objection_by_receipt, open_publicity, propose, publish, receipt_digest, record_committee_decision,
    record_objection, send_back, stage_index, withdraw_entry,
)
from .scoring import (
    OVERRIDE_REASON_MAX, clean_points, close_scoring, ensure_can_score, open_scoring, override_min_scores, record_vote,
    save_score, submit_sheet, unlock_sheet,
)
from .room import enter_paper_score, next_entry, open_room, room_score, set_absent, start_timer, unlock_room
from .setup import (
    LATER_FIELDS, SETUP_ONLY_FIELDS, add_assignment, assign, assign_passed_entry, create_track, declare_conflict,
    follow_judging_deadline, remove_assignment, save_rubric, set_judges, update_track,
)

__all__ = [
    "JudgingError", "WHOLE_NUMBER",
    "create_track", "update_track", "save_rubric", "set_judges", "assign", "add_assignment", "remove_assignment",
    "assign_passed_entry", "follow_judging_deadline",
    "declare_conflict", "SETUP_ONLY_FIELDS", "LATER_FIELDS",
    "open_scoring", "ensure_can_score", "clean_points", "save_score", "submit_sheet", "unlock_sheet",
    "close_scoring", "override_min_scores", "OVERRIDE_REASON_MAX", "record_vote",
    "open_room", "start_timer", "set_absent", "room_score", "enter_paper_score", "unlock_room", "next_entry",
    "propose", "approve", "record_committee_decision", "approve_online", "send_back", "add_working_days",
    "open_publicity", "record_objection", "handle_objection", "publish", "stage_index", "MINUTES_MAX",
    "file_objection", "withdraw_entry", "objection_by_receipt", "receipt_digest", "OBJECTION_MAX",
]
