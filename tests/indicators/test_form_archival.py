"""The DTI self-assessment form's PDF is archival and accessible, like the consolidated report:
PDF/A-3a (identification in the XMP metadata), tagged (a structure tree, headings, tables with
header cells), in Vietnamese, its scores attached as JSON."""
from __future__ import annotations

import io
import json

import pytest
from pypdf import PdfReader

from tests.indicators.test_form import build
from tracker.indicators.form import build_form_pdf


@pytest.fixture(scope="module")
def form(dti2024):
    result, data = build(dti2024, "Tỉnh Khánh Hòa")
    return result, data, build_form_pdf(data)


def _tags(node, found: list) -> list:
    """Every structure element's tag, depth first in reading order."""
    node = node.get_object()
    if "/S" in node:
        found.append(node["/S"])
    kids = node.get("/K")
    if kids is None:
        return found
    for kid in kids if isinstance(kids, list) else [kids]:
        kid = kid.get_object() if hasattr(kid, "get_object") else kid
        if isinstance(kid, dict) and ("/K" in kid or "/S" in kid):
            _tags(kid, found)
    return found


def test_the_form_is_pdf_a_3a_tagged_in_vietnamese(form):
    _, _, pdf = form
    root = PdfReader(io.BytesIO(pdf)).trailer["/Root"]
    assert root["/Lang"] == "vi"
    assert bool(root["/MarkInfo"]["/Marked"])
    xmp = root["/Metadata"].get_object().get_data().decode("utf-8")
    assert 'pdfaid:part="3"' in xmp and 'pdfaid:conformance="A"' in xmp
    assert root["/OutputIntents"][0].get_object()["/S"] == "/GTS_PDFA1"
    tags = _tags(root["/StructTreeRoot"], [])
    assert "/H2" in tags and "/Table" in tags and "/TH" in tags and "/TD" in tags
    assert tags.count("/Table") >= 2  # general information, then the indicators


def test_the_forms_scores_are_attached_as_json(form):
    result, data, pdf = form
    reader = PdfReader(io.BytesIO(pdf))
    (name,) = reader.attachments
    assert name == "phieu-tu-danh-gia-dti-cap-tinh-2024.json"
    content = json.loads(reader.attachments[name][0].decode("utf-8"))
    assert content["area_name"] == "Tỉnh Khánh Hòa" and content["framework"] == data.framework
    assert content["total"] == format(result.total.normalize(), "f")
    three_one = next(r for r in content["results"] if r["code"] == "3.1")
    assert three_one["points"] == "22.5"
    (associated,) = reader.trailer["/Root"]["/AF"]
    assert associated.get_object()["/AFRelationship"] == "/Data"

