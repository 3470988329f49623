"""Models of the certification app, one module per area, re-exported here.

- `policy`: the credential policy (the numbers of DESIGN.md §4) and its audit trail.
- `credentials`: exam results, certificates and their append-only events, verification tokens.
- `workflow`: applications and sign-off (申领, 逐级审签) and annual reviews (年审).
- `ops`: in-app notifications, reminders sent, export jobs, API tokens.
- `snapshot`: each officer's status computed for a day, which area dashboards count.
"""

from .credentials import *  # noqa: F403
from .ops import *  # noqa: F403
from .policy import *  # noqa: F403
from .snapshot import *  # noqa: F403
from .workflow import *  # noqa: F403
