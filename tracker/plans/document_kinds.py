"""How to speak of a "document" item by its kind (the plan's "Loại hình" column): a decision is
issued, a conference held, a training run. The documents' own word is kept; only the verb follows it."""
from __future__ import annotations

from tracker.core.text import fold_search as fold

# (words in the folded kind, what is not done yet): the first match wins.
_PENDING = (
    (("hoi thao", "hoi nghi", "hoi ngi", "dien dan", "toa dam"), "chưa được tổ chức"),
    (("dao tao", "tap huan", "boi duong"), "chưa được tổ chức thực hiện"),
    (("tai lieu", "ung dung", "so tay", "cam nang"), "chưa được hoàn thành"),
    (("quyet dinh", "ke hoach", "quy dinh", "quy che", "nghi quyet", "chi thi", "van ban", "chuong trinh",
      "de an", "huong dan", "cong van", "thong bao"), "chưa được ban hành"),
)


def pending_phrase(doc_type: str | None) -> str:
    """"Hội thảo, hội nghị chưa được tổ chức", "Quyết định chưa được ban hành"; a kind the plan does
    not name: "Nhiệm vụ chưa hoàn thành"."""
    kind = (doc_type or "").strip()
    if not kind:
        return "Nhiệm vụ chưa hoàn thành"
    folded = fold(kind)
    for words, pending in _PENDING:
        if any(word in folded for word in words):
            return f"{kind} {pending}"
    return f"{kind} chưa hoàn thành"
