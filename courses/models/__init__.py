"""Models of the courses app, one module per area, re-exported here.

- `ledger`: the append-only training-hours ledger every kind of training feeds.
- `training`: Wagtail pages for the three kinds of training and what officers do in them.
- `moderation`: the moderation task that keeps reviewers inside their area.
"""

from .ledger import *  # noqa: F403
from .moderation import *  # noqa: F403
from .training import *  # noqa: F403
