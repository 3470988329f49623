"""Local development: `make run` serves this with SQLite, in-process tasks and a local cache."""

from .base import *  # noqa: F403
from .base import env

DEBUG = env.bool("DEBUG", default=True)
