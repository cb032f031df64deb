"""The areas (tenants): the superadmin's page; nobody inside an area reaches it."""
from tests.permissions.base import Route, expect

ONLY_SUPERADMIN_READS = expect(403, superadmin=200)
ONLY_SUPERADMIN_WRITES = expect(403, superadmin=302)

ROUTES = [
    Route("areas.index", "GET", "/dia-ban", ONLY_SUPERADMIN_READS),
    Route("areas.create", "POST", "/dia-ban/moi", ONLY_SUPERADMIN_WRITES,
          data={"code": "khanh-hoa", "name": "Tỉnh Khánh Hòa", "level": "province"}),
    Route("areas.create_admin", "POST", "/dia-ban/quan-tri", ONLY_SUPERADMIN_WRITES,
          data=lambda s: {"area_id": str(s["area"]), "email": "quantri.moi@matran.vn", "full_name": "Quản trị mới",
                          "password": "matkhau-moi-3"}),
]

ROUTES += [
    # The national overview: the national viewer and the superadmin, one row per area.
    Route("areas.overview", "GET", "/toan-quoc", expect(403, national_viewer=200, superadmin=200)),
    # The national viewer's area chooser: its own session only (still read-only).
    Route("areas.choose_area", "POST", "/toan-quoc/dia-ban", expect(403, national_viewer=302),
          data=lambda s: {"area_id": str(s["area"])}),
]
