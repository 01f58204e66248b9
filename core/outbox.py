"""Shared pieces of the delivery outboxes (reminder e-mail in campaigns, 企业微信/钉钉 in notify)."""

from dataclasses import dataclass, field


@dataclass
class Tally:
    """What one delivery pass did: sent, failed for good, cancelled (no longer owed), and the rows to retry."""

    sent: int = 0
    failed: int = 0
    cancelled: int = 0
    retry_ids: list = field(default_factory=list)
    retry_in: int = 0

    def as_dict(self):
        return {"sent": self.sent, "failed": self.failed, "cancelled": self.cancelled, "retry": len(self.retry_ids)}
