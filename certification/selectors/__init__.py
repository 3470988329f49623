"""Read-side rules of certification (DESIGN.md §5: `credential_status`, `readiness_summary`).

- `status`: one officer's status on a date, and the SQL that computes it for many.
- `exams`: exam standing and what an officer lacks to apply.
- `readiness`: counts, field coverage, at-risk lists and hours bands for an area.
"""

from .exams import *  # noqa: F403
from .readiness import *  # noqa: F403
from .status import *  # noqa: F403
