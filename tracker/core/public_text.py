"""Text from the seed files as users may read it: without the developers' references.

The seed files record where each fact was copied from ("004_a6405fc1add7022a.txt:305-515",
"theo shared/seeds/README.md") for whoever maintains them; a page shows the fact, not the file.
"""
from __future__ import annotations

import re

_REFERENCE = r"(?:\b\d{3}_[0-9a-f]{16}\.txt(?::[\d,\- ]+)?|\S*shared/\S*|\S*README\.md\S*|\bseed_plans/\S*)"
# A parenthesis that only exists to cite a file: dropped whole, "(theo shared/seeds/README.md; …)".
_PARENTHESIS = re.compile(r"\s*\([^()]*" + _REFERENCE + r"[^()]*\)")
_BARE = re.compile(r"\s*" + _REFERENCE)
SEED_FILE = re.compile(r"\b\d{3}_[0-9a-f]{16}\.txt")


def public_text(text: str | None) -> str:
    """`text` without references to seed files or developer documents ("" for None)."""
    if not text:
        return ""
    cleaned = _BARE.sub("", _PARENTHESIS.sub("", text))
    return re.sub(r"\s+([.,;:])", r"\1", cleaned).strip()


def document_source(source: str | None) -> str:
    """A framework's or plan's source as users may read it: a seed file name is no source to them."""
    if not source or SEED_FILE.search(source):
        return ""
    return public_text(source)
