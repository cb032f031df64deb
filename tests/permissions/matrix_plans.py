"""Plan pages: every signed-in role reads every plan."""
from tests.permissions.base import Route, expect

ROUTES = [
    Route("plans.index", "GET", "/ke-hoach", expect(200)),
    Route("plans.show", "GET", "/ke-hoach/{plan}?q=chu+ky+so&don-vi={unit_other}", expect(200)),
]


def stored_import(scenario):
    """A plan file of the scenario's area uploaded by its coordinator (Nhập kế hoạch)."""
    from tracker.plans import imports

    objects = scenario["objects"]
    text = (f"kind: plan\nnumber: 77/KH-UBND\ndate: 2026-01-05\nissuing_body: UBND tỉnh\narea: {objects['area'].code}\n"
            "title: Chuyển đổi số 2026\nappendices:\n- number: '1'\n  kind: project\n  title: Dự án\n  items:\n"
            "  - code: '1'\n    text: Nền tảng dữ liệu\n    owner: Sở Nội vụ\n    years_text: 2026 - 2027\n")
    upload = imports.store_upload(objects["users"]["coordinator"], "ke-hoach-77.yaml", text.encode())
    return {"token": upload.token}


STAFF_ONLY = dict(admin=200, coordinator=200)
ROUTES += [
    Route("plans.import_form", "GET", "/ke-hoach/nhap", expect(403, **STAFF_ONLY)),
    Route("plans.import_form", "POST", "/ke-hoach/nhap", expect(403, admin=400, coordinator=400), data={}),
    Route("plans.import_template", "GET", "/ke-hoach/nhap/mau.xlsx", expect(403, **STAFF_ONLY)),
    Route("plans.import_preview", "GET", "/ke-hoach/nhap/{token}", expect(403, **STAFF_ONLY), setup=stored_import),
    Route("plans.import_file", "GET", "/ke-hoach/nhap/{token}/tep", expect(403, **STAFF_ONLY), setup=stored_import),
    Route("plans.import_units", "POST", "/ke-hoach/nhap/{token}/don-vi", expect(403, admin=302, coordinator=302),
          data={}, setup=stored_import),
    Route("plans.import_confirm", "POST", "/ke-hoach/nhap/{token}/xac-nhan", expect(403, admin=302, coordinator=302),
          data={}, setup=stored_import),
]
ROUTES += [
    Route("plans.import_mapping_choices", "POST", "/ke-hoach/nhap/{token}/anh-xa",
          expect(403, admin=302, coordinator=302), data={}, setup=stored_import),
    Route("plans.import_mapping_clear", "POST", "/ke-hoach/nhap/{token}/anh-xa/bo",
          expect(403, admin=302, coordinator=302), data={}, setup=stored_import),
]
