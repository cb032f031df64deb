"""Text helpers for Vietnamese: name matching and diacritic-insensitive search."""
import re
import unicodedata

_SPACES = re.compile(r"\s+")


def fold_name(value: str) -> str:
    """Key for matching unit names: case and spacing ignored, diacritics kept.

    NFC first, so that a name typed with combining accents matches the precomposed one.
    """
    return _SPACES.sub(" ", unicodedata.normalize("NFC", value)).strip().casefold()


def fold_search(value: str) -> str:
    """Key for searching: case and diacritics ignored ("chu ky so" finds "Chữ ký số")."""
    decomposed = unicodedata.normalize("NFD", value.replace("đ", "d").replace("Đ", "D"))
    stripped = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    return _SPACES.sub(" ", stripped).strip().casefold()
