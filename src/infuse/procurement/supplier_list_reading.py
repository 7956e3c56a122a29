"""Reading an uploaded supplier list for the Django layer: the engine's refusal in the user's
language. It reads only; ``services.supplier_list_upload`` keeps what it read."""

from __future__ import annotations

from django.utils.translation import gettext as _

from infuse.errors import UserFacingError

from .ledger_display import translate_problem
from .ledger_messages import Problem
from .supplier_lists import ROLE_NAMES, SupplierListError, SupplierListRead, read_supplier_list

MAX_SUPPLIER_LIST_BYTES = 20 * 1024 * 1024


class SupplierListRefused(UserFacingError):
    """A supplier list that cannot be used; the message says why, and nothing was changed."""


def supplier_list_read(content: bytes) -> SupplierListRead:
    """Read a supplier list, or raise :class:`SupplierListRefused` with the reason in the
    user's language (the upload service and the importer register use it)."""
    if not content:
        raise SupplierListRefused(_("The file is empty."))
    if len(content) > MAX_SUPPLIER_LIST_BYTES:
        raise SupplierListRefused(_("The file is larger than 20 MB."))
    try:
        return read_supplier_list(content)
    except SupplierListError as error:
        raise SupplierListRefused(translate_list_problem(error.problem)) from error


def translate_list_problem(problem: Problem) -> str:
    """A supplier-list message in the active language, with the column roles it names (its
    ``role`` parameter) translated too."""
    params = dict(problem.params)
    role = params.get("role")
    if isinstance(role, str) and role in ROLE_NAMES.values():
        params["role"] = _(role)
    return translate_problem(Problem(problem.code, problem.template, params))
