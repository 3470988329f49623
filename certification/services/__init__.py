"""Write-side rules of certification: the only way certificates and their history change.

- `exams`: recording exam results (platform attempts and the provincial import).
- `credentials`: issue, renew, suspend, reinstate, revoke, cancel (DESIGN.md §5).
- `workflow`: application lists and their sign-off (申领, 逐级审签).
- `review`: the annual review (年审) that closes a year.
- `notices`: in-app notifications, reminders and digests.
- `law_digest`: the officer's monthly digest of law changes in their fields.
- `reinstatement`: the bureau's suspension and reinstatement, officers' requests, bulk actions.
- `policy`: changing the credential policy (audited).
- `verification`: the QR-code verification links.
- `snapshot`: the nightly status snapshot that area dashboards count.
"""

from .credentials import *  # noqa: F403
from .exams import *  # noqa: F403
from .law_digest import *  # noqa: F403
from .notices import *  # noqa: F403
from .policy import *  # noqa: F403
from .reinstatement import *  # noqa: F403
from .review import *  # noqa: F403
from .snapshot import *  # noqa: F403
from .verification import *  # noqa: F403
from .workflow import *  # noqa: F403
