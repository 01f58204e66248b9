"""Every state change of the submissions app. Phase 1 (附件1/附件2) and phases 2/3 (outcomes, 附件3)."""

from .entries import *  # noqa: F401,F403
from .lineage import *  # noqa: F401,F403
from .phase1 import *  # noqa: F401,F403
from .phase1 import WorkflowError  # noqa: F401
