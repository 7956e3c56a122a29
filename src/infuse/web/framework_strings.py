"""Django's own messages that its Welsh catalogue lacks or gets wrong.

Naming them here puts them in Infuse's catalogue, whose translations take precedence over
Django's (``LOCALE_PATHS`` is searched first). The msgids must match Django's exactly; this
function is never called.
"""

from django.utils.translation import gettext_noop, ngettext


def _catalogue_entries() -> None:  # pragma: no cover - read by makemessages, never run
    gettext_noop("This password is too common.")
    gettext_noop("This password is entirely numeric.")
    gettext_noop("The password is too similar to the %(verbose_name)s.")
    gettext_noop("The two password fields didn’t match.")
    gettext_noop("Enter a valid date.")
    gettext_noop("This field is required.")
    gettext_noop("Enter a valid email address.")
    ngettext(
        "This password is too short. It must contain at least %d character.",
        "This password is too short. It must contain at least %d characters.",
        12,
    )
