"""Running on a developer's or a clerk's own machine: `make demo`."""

from .base import *  # noqa: F401,F403
from .base import env

DEBUG = env.bool("DEBUG", default=True)
