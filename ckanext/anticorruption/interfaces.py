"""Plugin interfaces other extensions implement to extend this one."""
from __future__ import annotations

from ckan.plugins.interfaces import Interface

from ckanext.anticorruption.identifiers.schemes import IdentifierScheme

__all__ = ["IIdentifierSchemes"]


class IIdentifierSchemes(Interface):
    """Add identifier schemes (another country's tax or company numbers).

    A Table Schema field that declares ``identifier: {schemes: [CODE]}`` is
    checked with the scheme of that code; see ``identifiers.schemes.stdnum_scheme``
    to wrap a python-stdnum module in one line.
    """

    def identifier_schemes(self) -> list[IdentifierScheme]:
        """The schemes this plugin adds or replaces (by code)."""
        return []
