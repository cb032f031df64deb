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


# The Vietnamese alphabet: a ă â b c d đ e ê g h i k l m n o ô ơ p q r s t u ư v x y. A letter with
# a breve, circumflex or horn (and đ) is a letter of its own, after its base; tones only break ties.
_LETTER_MARKS = {"\u0306": 1, "\u0302": 2, "\u031b": 3}  # breve ă, circumflex â ê ô, horn ơ ư
_TONE_MARKS = {"\u0300": 1, "\u0309": 2, "\u0303": 3, "\u0301": 4, "\u0323": 5}  # huyền, hỏi, ngã, sắc, nặng


def vietnamese_sort_key(value: str) -> tuple:
    """Sorts names as a Vietnamese reader expects: "Đài ..." after "Dân ...", "Ủy ban ..." among the U's.

    Code-point order puts every name starting with Đ, Ủ, Ở ... after "Z".
    """
    letters: list[tuple[int, int]] = []
    tones: list[int] = []
    for ch in unicodedata.normalize("NFD", value.casefold()):
        if ch in _LETTER_MARKS and letters:
            letters[-1] = (letters[-1][0], _LETTER_MARKS[ch])
        elif ch in _TONE_MARKS:
            tones[-1:] = [_TONE_MARKS[ch]]
        elif unicodedata.category(ch) == "Mn":
            continue
        elif ch == "đ":
            letters.append((ord("d"), 4))
            tones.append(0)
        else:
            letters.append((ord(ch), 0))
            tones.append(0)
    return tuple(letters), tuple(tones)


def shorten(text: str | None, limit: int) -> str:
    """One line, at most `limit` characters, cut with an ellipsis."""
    text = " ".join((text or "").split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
