"""A realistic demo: 歙县 (Anhui) under shexian-2025 and 阳西县 (Guangdong) under guangdong-2019.
Loading it twice changes nothing: every row is found by its business key first."""

from __future__ import annotations

import datetime

from django.db import transaction

from payrules import GUANGDONG, SHEXIAN

from . import services
from .models import City, Consortium, County, Institution, Province, ServiceAgreement, User

DEMO_PASSWORD = "Demo-2025-consortium"
YEAR = 2025

SHEXIAN_TOWNSHIPS = [
    "徽城镇", "深渡镇", "北岸镇", "富堨镇", "郑村镇", "桂林镇",
    "许村镇", "溪头镇", "杞梓里镇", "霞坑镇", "岔口镇", "雄村镇",
]
SHEXIAN_VILLAGES = [
    "渔梁", "斗山", "长陔", "瞻淇", "棠樾", "呈坎", "潜口", "唐模", "昌溪", "璜田",
    "石门", "坑口", "英坑", "绍濂", "漳潭", "绵潭", "九砂", "阳产", "卖花渔", "洪琴",
    "大阜", "呈村", "七川", "竦坑", "汪满田", "江村", "上丰", "蓝田", "琶塘", "三口",
    "王村", "塘川", "金川", "狮石", "小川", "新溪", "三阳", "竹铺", "苏村", "里方",
    "岭脚", "大谷运", "磻溪", "洪川", "丰瑞", "桃源", "梅村", "汪村", "杞梓里", "坡山",
    "蜈蚣岭", "五渡", "街源", "双河", "深渡", "定潭", "南源口", "官川", "正口", "周家村",
]
YANGXI_TOWNSHIPS = ["织篢镇", "程村镇", "儒洞镇", "沙扒镇", "溪头镇", "上洋镇", "新圩镇", "塘口镇"]
YANGXI_VILLAGES = ["蓝袍", "红光", "龙塘", "塘尾", "南山", "北额", "丰头", "沙坡"]


def _upsert(model, keys: dict, fields: dict):
    """Create the row, or bring it to `fields`; an unchanged row is not written (nor audited)."""
    row = model.objects.filter(**keys).first()
    if row is None:
        row = model(**keys, **fields)
    elif all(getattr(row, name) == value for name, value in fields.items()):
        return row
    for name, value in fields.items():
        setattr(row, name, value)
    row.full_clean()
    row.save()
    return row


def _place(model, code, **fields):
    return _upsert(model, {"code": code}, fields)


def _institution(county, code, name, **fields):
    return _upsert(Institution, {"county": county, "code": code}, {"name": name, **fields})


def _member(county, consortium, code, name, tier, level, ownership="public"):
    return _institution(
        county, code, name, tier=tier, level=level, ownership=ownership,
        placement=Institution.Placement.IN_CONSORTIUM, consortium=consortium,
    )


def _outside(county, code, name, placement, level, ownership="public", tier=""):
    return _institution(
        county, code, name, tier=tier, level=level, ownership=ownership, placement=placement, consortium=None
    )


def _agreement(consortium, scheme, signed):
    agreement = ServiceAgreement.objects.filter(consortium=consortium, year=YEAR).first()
    if agreement is None:
        agreement = services.agreement_create(
            consortium=consortium, year=YEAR, scheme=scheme, signed_date=signed, user=None
        )
    if agreement.status == ServiceAgreement.Status.DRAFT:
        services.agreement_activate(agreement=agreement, user=None)
    return agreement


def _user(username, role, full_name, **places):
    user = User.objects.filter(username=username).first()
    if user is None:
        user = services.user_create(
            username=username, password=DEMO_PASSWORD, role=role,
            last_name=full_name[0], first_name=full_name[1:], **places,
        )
    if (user.last_name, user.first_name) != (full_name[0], full_name[1:]) or not user.check_password(DEMO_PASSWORD):
        user.last_name, user.first_name = full_name[0], full_name[1:]
        user.set_password(DEMO_PASSWORD)
        user.save()
    return user


def _shexian():
    anhui = _place(Province, "340000", name="安徽省")
    huangshan = _place(City, "341000", name="黄山市", province=anhui)
    county = _place(County, "341021", name="歙县", city=huangshan, insured_count=402000)
    consortium = _place(Consortium, "SX-YGT-01", name="歙县人民医院紧密型县域医共体", county=county,
                        established=datetime.date(2019, 6, 28))
    L, C, P, T, V = (Institution.Tier.LEAD, Institution.Tier.COUNTY, Institution.Tier.PRIVATE,
                     Institution.Tier.TOWNSHIP, Institution.Tier.VILLAGE)
    lvl = Institution.Level
    _member(county, consortium, "H34102100001", "歙县人民医院", L, lvl.SECONDARY)
    _member(county, consortium, "H34102100002", "歙县中医医院", C, lvl.SECONDARY)
    _member(county, consortium, "H34102100003", "歙县妇幼保健计划生育服务中心", C, lvl.SECONDARY)
    _member(county, consortium, "H34102100004", "歙县仁和医院", P, lvl.PRIMARY, ownership="private")
    for t, township in enumerate(SHEXIAN_TOWNSHIPS, start=1):
        _member(county, consortium, f"H341021{100 + t:05d}", f"歙县{township}中心卫生院", T, lvl.BASIC)
        for v in range(5):
            village = SHEXIAN_VILLAGES[(t - 1) * 5 + v]
            _member(county, consortium, f"H341021{1000 + (t - 1) * 5 + v + 1:05d}",
                    f"{township}{village}村卫生室", V, lvl.BASIC)
    pl = Institution.Placement
    _outside(county, "H34102100901", "歙县康宁医院", pl.IN_COUNTY, lvl.PRIMARY, ownership="private", tier=P)
    _outside(county, "H34100000101", "黄山市人民医院", pl.IN_CITY, lvl.TERTIARY)
    _outside(county, "H34100000102", "黄山首康医院", pl.IN_CITY, lvl.SECONDARY, ownership="private")
    _outside(county, "H34010000101", "中国科学技术大学附属第一医院（安徽省立医院）", pl.OUT_OF_CITY, lvl.TERTIARY)
    _outside(county, "H33010000101", "浙江大学医学院附属第一医院", pl.OUT_OF_CITY, lvl.TERTIARY)
    _agreement(consortium, SHEXIAN.id, datetime.date(2025, 1, 10))
    return anhui, county, consortium


def _yangxi():
    guangdong = _place(Province, "440000", name="广东省")
    yangjiang = _place(City, "441700", name="阳江市", province=guangdong)
    county = _place(County, "441721", name="阳西县", city=yangjiang, insured_count=438000)
    consortium = _place(Consortium, "YX-YGT-01", name="阳西县总医院医共体", county=county,
                        established=datetime.date(2017, 12, 1))
    lvl = Institution.Level
    _member(county, consortium, "H44172100001", "阳西县总医院", Institution.Tier.LEAD, lvl.SECONDARY)
    for t, township in enumerate(YANGXI_TOWNSHIPS, start=1):
        _member(county, consortium, f"H441721{100 + t:05d}", f"阳西县{township}卫生院", Institution.Tier.TOWNSHIP, lvl.BASIC)
        _member(county, consortium, f"H441721{1000 + t:05d}", f"{township}{YANGXI_VILLAGES[t - 1]}村卫生站",
                Institution.Tier.VILLAGE, lvl.BASIC)
    pl = Institution.Placement
    _outside(county, "H44172100901", "阳西县博爱医院", pl.IN_COUNTY, lvl.PRIMARY, ownership="private",
             tier=Institution.Tier.PRIVATE)
    _outside(county, "H44170000101", "阳江市人民医院", pl.IN_CITY, lvl.TERTIARY)
    _outside(county, "H44010000101", "中山大学附属第一医院", pl.OUT_OF_CITY, lvl.TERTIARY)
    _agreement(consortium, GUANGDONG.id, datetime.date(2025, 1, 6))
    return guangdong, county, consortium


@transaction.atomic
def demo_load() -> list[tuple[str, str]]:
    """Loads the demo and returns the demo accounts as (username, description)."""
    anhui, shexian, sx_consortium = _shexian()
    guangdong, yangxi, yx_consortium = _yangxi()
    R = User.Role
    accounts = [
        (_user("admin", R.ADMINISTRATOR, "系统管理员"), "administrator"),
        (_user("sx_staff", R.BUREAU_STAFF, "王经办", county=shexian), "歙县医保局经办"),
        (_user("sx_auditor", R.BUREAU_AUDITOR, "李审核", county=shexian), "歙县医保局财务审核"),
        (_user("sx_finance", R.FINANCE_OFFICER, "张财务", consortium=sx_consortium), "歙县人民医院医共体财务"),
        (_user("ah_reviewer", R.PROVINCIAL_REVIEWER, "陈省审", province=anhui), "安徽省医保局"),
        (_user("yx_staff", R.BUREAU_STAFF, "黄经办", county=yangxi), "阳西县医保局经办"),
        (_user("yx_auditor", R.BUREAU_AUDITOR, "吴审核", county=yangxi), "阳西县医保局财务审核"),
        (_user("yx_finance", R.FINANCE_OFFICER, "林财务", consortium=yx_consortium), "阳西县总医院医共体财务"),
        (_user("gd_reviewer", R.PROVINCIAL_REVIEWER, "何省审", province=guangdong), "广东省医保局"),
    ]
    return [(user.username, description) for user, description in accounts]
