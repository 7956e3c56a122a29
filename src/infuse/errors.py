"""Errors whose message is written for the person using Infuse.

Code that rejects bad input raises a subclass of ``UserFacingError`` with a message in the
active language that names the problem (a line, a column, a value). Pages, the API, the command
line and background jobs show that message as it is; any other exception is a bug, shown only as
a generic apology while its trace goes to the log.
"""

from __future__ import annotations


class UserFacingError(ValueError):
    """Bad input or a refused request, with a message fit to show the user."""
