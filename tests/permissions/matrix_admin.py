"""Administration: the admin role only; coordinators, viewers and reporters get 403."""
from datetime import date

from tests.permissions.base import Route, expect

READ = expect(403, admin=200)
WRITE = expect(403, admin=302)


def new_user(s):
    return {"email": "moi@matran.vn", "full_name": "Người mới", "role": "viewer", "unit_id": "0",
            "password": "matkhau-moi-1", "confirm": "matkhau-moi-1", "active": "y"}


def edit_user(s):
    return {"email": "nguoikhac@matran.vn", "full_name": "Người khác", "role": "reporter",
            "unit_id": str(s["unit_own"]), "active": "y", "lock_version": "1"}


def new_unit(s):
    return {"area_id": str(s["area"]), "name": "Sở Du lịch", "short_name": "SDL", "kind": "department",
            "parent_name": "", "aliases": "Sở Du Lịch tỉnh", "note": ""}


def edit_unit(s):
    return {"area_id": str(s["area"]), "name": "Sở Nội vụ", "short_name": "SNV", "kind": "department",
            "parent_name": "", "aliases": "Sở Nội Vụ\nSNV tỉnh", "note": "Đã sửa", "lock_version": "1"}


def group_data(s):
    return {"area_id": str(s["area"]), "name": "Nhóm thử", "aliases": "", "note": "",
            "members": [str(s["unit_own"])], "lock_version": "1"}


def merge_data(s):
    return {"source_id": str(s["unit_other"]), "target_id": str(s["unit_own"]), "on": "01/03/2025",
            "kind": "merged", "note": "Thử nghiệm", "confirm": "1"}


def profile_data(s):
    return {"area_id": str(s["area"]), "valid_from": "01/01/2025", "parent_body": "UBND TỈNH MA TRẬN",
            "issuing_body": "", "issuer_short": "SKHCN", "issuer_name": "", "place": "", "addressee": "",
            "signer_title": "KT. GIÁM ĐỐC\nPHÓ GIÁM ĐỐC", "recipients": "Như trên;\nLưu: VT."}


def a_profile(scenario):
    from tracker.reports.models import ReportProfile
    from tracker.extensions import db

    profile = ReportProfile(area=scenario["objects"]["area"], valid_from=date(2024, 1, 1),
                            parent_body="UBND TỈNH MA TRẬN")
    db.session.add(profile)
    db.session.flush()
    return {"profile": profile.id}


def a_merged_unit(scenario):
    from tracker.extensions import db
    from tracker.units.models import Unit

    objects = scenario["objects"]
    unit = Unit(name="Sở Ma Trận Cũ", area=objects["area"], successor_id=scenario["unit_own"],
                succeeded_on=date(2025, 3, 1), succession_type="merged")
    db.session.add(unit)
    db.session.flush()
    return {"merged_unit": unit.id}


ROUTES = [
    Route("admin.index", "GET", "/quan-tri", READ),
    Route("admin.users", "GET", "/quan-tri/nguoi-dung", READ),
    Route("admin.user_new", "GET", "/quan-tri/nguoi-dung/moi", READ),
    Route("admin.user_new", "POST", "/quan-tri/nguoi-dung/moi", WRITE, data=new_user),
    Route("admin.user_edit", "GET", "/quan-tri/nguoi-dung/{user_other}", READ),
    Route("admin.user_edit", "POST", "/quan-tri/nguoi-dung/{user_other}", WRITE, data=edit_user),
    Route("admin.user_password", "GET", "/quan-tri/nguoi-dung/{user_other}/mat-khau", READ),
    Route("admin.user_password", "POST", "/quan-tri/nguoi-dung/{user_other}/mat-khau", WRITE,
          data={"password": "matkhau-moi-2", "confirm": "matkhau-moi-2"}),
    Route("admin.units", "GET", "/quan-tri/don-vi?khu-vuc={area}", READ),
    Route("admin.unit_new", "GET", "/quan-tri/don-vi/moi", READ),
    Route("admin.unit_new", "POST", "/quan-tri/don-vi/moi", WRITE, data=new_unit),
    Route("admin.unit_edit", "GET", "/quan-tri/don-vi/{unit_own}", READ),
    Route("admin.unit_edit", "POST", "/quan-tri/don-vi/{unit_own}", WRITE, data=edit_unit),
    Route("admin.groups", "GET", "/quan-tri/nhom-don-vi", READ),
    Route("admin.group_new", "GET", "/quan-tri/nhom-don-vi/moi", READ),
    Route("admin.group_new", "POST", "/quan-tri/nhom-don-vi/moi", WRITE, data=group_data),
    Route("admin.group_edit", "GET", "/quan-tri/nhom-don-vi/{group}", READ),
    Route("admin.group_edit", "POST", "/quan-tri/nhom-don-vi/{group}", WRITE, data=group_data),
    Route("admin.succession", "GET", "/quan-tri/ke-thua", READ),
    Route("admin.succession", "POST", "/quan-tri/ke-thua", WRITE, data=merge_data),
    Route("admin.succession_undo", "POST", "/quan-tri/ke-thua/{merged_unit}/hoan-tac", WRITE, setup=a_merged_unit),
    Route("admin.audit", "GET", "/quan-tri/nhat-ky", READ),
    Route("admin.report_profiles", "GET", "/quan-tri/mau-bao-cao", READ),
    Route("admin.report_profile_new", "GET", "/quan-tri/mau-bao-cao/moi", READ),
    Route("admin.report_profile_new", "POST", "/quan-tri/mau-bao-cao/moi", WRITE, data=profile_data),
    Route("admin.report_profile_edit", "GET", "/quan-tri/mau-bao-cao/{profile}", READ, setup=a_profile),
    Route("admin.report_profile_edit", "POST", "/quan-tri/mau-bao-cao/{profile}", WRITE, setup=a_profile,
          data=profile_data),
]
