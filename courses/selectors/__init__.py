"""Read-side rules of the courses app, one module per area, re-exported here."""

from .ledger import *  # noqa: F403
from .training import *  # noqa: F403
