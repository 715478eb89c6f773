"""Legal names as join keys: the second tier of the linkage.

Pure module. Real registers rarely carry the identifier the first tier
joins on (SFP's directory of sanctioned suppliers has no RFC, CompraNet's
contracts of 2010-2016 neither), so two datasets may still be joined by the
supplier's legal name, compared after normalisation::

    >>> rules = NameRules.load()
    >>> rules.parse("3R INNOVACIÓN Y DISEÑO, S.A. DE  C.V.")
    Name(key='3R INNOVACION Y DISENO', form='S.A. de C.V.')
    >>> rules.key("3r Innovacion y Diseno SA de CV") == rules.key("3R INNOVACIÓN Y DISEÑO, S.A. DE  C.V.")
    True

A match on the key alone is *probable*, never *certain*: two firms may
share a name, and one firm may be written in two ways. Nothing here is
fuzzy: the keys are equal or they are not. The legal forms and the words
too generic to match are data (``schemas/names.yaml``).
"""
from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

from ckanext.anticorruption.dataset_types.types import SCHEMAS_DIR

__all__ = ["NAME_SCHEME", "Name", "NameRules"]

# The scheme code under which normalised names are stored in the linkage index.
NAME_SCHEME = "NAME"

_NAMES_FILE = SCHEMAS_DIR / "names.yaml"


def _fold_table() -> dict[int, str]:
    """A str.translate table: letters without accents, punctuation as spaces, dots and apostrophes gone."""
    table: dict[int, str] = {}
    for code in range(0x00C0, 0x0250):
        character = chr(code)
        base = unicodedata.normalize("NFKD", character)
        base = "".join(part for part in base if not unicodedata.combining(part))
        if base != character and base.isascii():
            table[code] = base
    for character in ".'\u2019\u00b4`":
        table[ord(character)] = ""
    for character in ',;:"()[]{}/\\-_|*+!?¡¿#%=<>\u201c\u201d\u00ab\u00bb\u2013\u2014\t\r\n\u00a0':
        table[ord(character)] = " "
    # Ampersands are kept ("A&P"), with spaces round them ("A & P" is "A&P" too).
    return table


_FOLD = _fold_table()
_AMPERSAND = re.compile(r"\s*&\s*")
# Runs of one-letter words are initials: "S A DE C V" is "SA DE CV".
_INITIALS = re.compile(r"\b(?:[A-Z0-9] )+[A-Z0-9]\b")
_ONE_LETTER = re.compile(r"\b[A-Z0-9] [A-Z0-9]\b")


class Name(NamedTuple):
    """A name as compared: its key (upper case, no accents, no legal form) and the legal form taken off."""

    # A tuple, not a dataclass: a file names a few hundred thousand suppliers, each parsed once.
    key: str
    form: str | None


@dataclass(frozen=True)
class NameRules:
    """The legal forms (by normalised spelling) and the limits on what may match."""

    minimum_key_length: int = 5
    # A longer "name" is a paragraph in the wrong column, and the index could not hold it.
    maximum_key_length: int = 300
    too_generic: frozenset[str] = frozenset()
    # Last word of a spelling → (its words, the form as shown), longest first:
    # a name is looked up by its last word, not by every suffix.
    endings: Mapping[str, tuple[tuple[tuple[str, ...], str], ...]] = field(default_factory=dict)

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> NameRules:
        forms: dict[str, str] = {}
        for entry in data.get("legalForms") or ():
            for spelling in entry.get("spellings") or ():
                forms.setdefault(_fold(spelling), entry["form"])
        endings: dict[str, list[tuple[tuple[str, ...], str]]] = {}
        for spelling, shown in forms.items():
            words = tuple(spelling.split(" "))
            endings.setdefault(words[-1], []).append((words, shown))
        return cls(
            endings={last: tuple(sorted(found, key=lambda item: -len(item[0]))) for last, found in endings.items()},
            minimum_key_length=int(data.get("minimumKeyLength", 5)),
            maximum_key_length=int(data.get("maximumKeyLength", 300)),
            too_generic=frozenset(_fold(word) for word in data.get("tooGeneric") or ()),
        )

    @classmethod
    @functools.cache
    def load(cls, path: Path | None = None) -> NameRules:
        """The rules of ``schemas/names.yaml`` (read once)."""
        import yaml

        with open(path or _NAMES_FILE, encoding="utf-8") as f:
            return cls.from_data(yaml.safe_load(f) or {})

    def parse(self, name: str) -> Name:
        """The key and legal form of a name as written."""
        words = _fold(name).split(" ")
        form: str | None = None
        while len(words) > 1:
            # The longest spelling at the end first; a name that is only a legal form keeps it.
            for spelling, shown in self.endings.get(words[-1], ()):
                size = len(spelling)
                if size < len(words) and tuple(words[-size:]) == spelling:
                    del words[-size:]
                    form = form or shown
                    break
            else:
                break
        return Name(" ".join(words), form)

    def key(self, name: str) -> str | None:
        """The join key of a name, or None when it says too little to match anything."""
        parsed = self.usable(name)
        return parsed.key if parsed is not None else None

    def usable(self, name: str) -> Name | None:
        """The parsed name (key and legal form), or None when it says too little to match anything."""
        parsed = self.parse(name)
        if not self.minimum_key_length <= len(parsed.key) <= self.maximum_key_length or parsed.key in self.too_generic:
            return None
        return parsed

    def keys(self, names: Iterable[str]) -> dict[str, str | None]:
        """The key of each distinct name (a register of 50,000 names costs 50,000 calls at most)."""
        return {name: self.key(name) for name in set(names)}


def _ascii_fold() -> tuple[bytes, bytes]:
    """_FOLD for ASCII text as a bytes.translate table and the bytes it deletes: a C loop, not a dict per character."""
    table = bytearray(range(256))
    deleted = bytearray()
    for code, replacement in _FOLD.items():
        if code < 128:
            if replacement:
                table[code] = ord(replacement)
            else:
                deleted.append(code)
    return bytes(table), bytes(deleted)


_ASCII_FOLD, _ASCII_DELETED = _ascii_fold()


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFC", str(text)).upper()
    if text.isascii():  # most names: a register of 50,000 is folded many times over a day
        text = text.encode("ascii").translate(_ASCII_FOLD, _ASCII_DELETED).decode("ascii")
    else:
        text = text.translate(_FOLD)
    text = " ".join(text.split())
    if "&" in text:
        text = _AMPERSAND.sub("&", text)
    if _ONE_LETTER.search(text):
        text = _INITIALS.sub(lambda found: found.group(0).replace(" ", ""), text)
    return text
