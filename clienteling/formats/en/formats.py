"""English in this app: as in Britain (clienteling/formats/__init__.py)."""

from clienteling.formats.en_GB.formats import *  # noqa: F403
