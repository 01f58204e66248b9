"""Demo: check the seeded year once, so 组织部 sees 材料查重 results (registered with organizations.demo).

The demo's 附件1 and 附件2 rows reuse the same wording across colleges, so the check finds real
overlaps to show. Idempotent: an unchanged text is neither re-hashed nor re-compared."""


def seed(campaign, phase, orgs, users):
    from . import services

    services.check_campaign(campaign)
