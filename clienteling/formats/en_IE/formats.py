"""Irish English: as in Britain."""

from clienteling.formats.en_GB.formats import *  # noqa: F403
