#!/usr/bin/env python3
"""Generate the 青禾市 (Qinghe City, fictional, region 339900) demo data for catalog-audit.

Writes, next to this script:
  2017-06-30.json            catalog-snapshot/1, old snapshot
  2017-12-31.json            catalog-snapshot/1, new snapshot (half a year later)
  adjustments-2017H2.json    adjustment-log/1, 2017-07-01..2017-12-31

Standard library only and fully deterministic (no randomness, no clock): running it twice gives
byte-identical files. Before writing, the script re-checks its own story with a small Python
re-implementation of the item rules and of the diff, and aborts if a clean item would trigger a rule,
a planted defect would not, or the observed changes differ from the planted ones.

The city, its departments, credit codes, phone numbers, addresses, URLs and all local documents
(青政办发, 青人社发, 浙价费 ... numbers) are invented for the demo. National law titles are real; article
numbers are given in good faith for illustration and are not a legal reference.
"""

import copy
import datetime as dt
import json
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
REGION = "339900"
CITY = "青禾市"
OLD_DATE, NEW_DATE = "2017-06-30", "2017-12-31"
# The second review round: the departments' corrections after the 2017 H2 comments.
ROUND2_DATE = "2018-03-31"

# ---------------------------------------------------------------------------------------------
# Unified social credit codes (GB 32100-2015) and organisation codes (GB 11714-1997)
# ---------------------------------------------------------------------------------------------
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]


def uscc_check_char(first17):
    total = sum(USCC_ALPHABET.index(c) * w for c, w in zip(first17, USCC_WEIGHTS))
    return USCC_ALPHABET[(31 - total % 31) % 31]


def org_code(body8):
    """9-char 组织机构代码: 8 body chars + GB 11714 check character."""
    weights = [3, 7, 9, 10, 5, 8, 4, 2]
    total = sum(int(c, 36) * w for c, w in zip(body8, weights))
    c9 = 11 - total % 11
    return body8 + ("X" if c9 == 10 else "0" if c9 == 11 else str(c9))


def uscc(category, body8):
    """category: '11' 机构编制-机关, '13' 机构编制-群众团体 (残联)."""
    first17 = category + REGION + org_code(body8)
    return first17 + uscc_check_char(first17)


def uscc_valid(code):
    return (isinstance(code, str) and len(code) == 18 and all(c in USCC_ALPHABET for c in code)
            and uscc_check_char(code[:17]) == code[17])


# ---------------------------------------------------------------------------------------------
# Departments (all 2017 names: 医保 was still part of 人社, 卫生和计划生育委员会 not yet split)
# ---------------------------------------------------------------------------------------------
DEPTS = {
    "edu": dict(name="青禾市教育局", dd="01", cat="11", body="00258701",
                phone="0579-88120101", hall="青禾市行政服务中心二楼21号窗口"),
    "psb": dict(name="青禾市公安局", dd="02", cat="11", body="00258702",
                phone="0579-88120201", hall="青禾市行政服务中心一楼5号窗口"),
    "mz": dict(name="青禾市民政局", dd="03", cat="11", body="00258703",
               phone="0579-88120301", hall="青禾市行政服务中心三楼31号窗口"),
    "rs": dict(name="青禾市人力资源和社会保障局", dd="04", cat="11", body="00258704",
               phone="0579-88120401", hall="青禾市人力资源和社会保障服务中心一楼8号窗口"),
    "zj": dict(name="青禾市住房和城乡建设局", dd="05", cat="11", body="00258705",
               phone="0579-88120501", hall="青禾市行政服务中心三楼35号窗口"),
    "wj": dict(name="青禾市卫生和计划生育委员会", dd="06", cat="11", body="00258706",
               phone="0579-88120601", hall="青禾市行政服务中心二楼26号窗口"),
    "cl": dict(name="青禾市残疾人联合会", dd="07", cat="13", body="47125807",
               phone="0579-88120701", hall="青禾市残疾人综合服务中心一楼3号窗口"),
    "sf": dict(name="青禾市司法局", dd="08", cat="11", body="00258708",
               phone="0579-88120801", hall="青禾市司法局一楼法律援助中心1号窗口"),
    "wg": dict(name="青禾市文化广电新闻出版局", dd="09", cat="11", body="00258709",
               phone="0579-88120901", hall="青禾市行政服务中心二楼28号窗口"),
    "da": dict(name="青禾市档案局", dd="10", cat="11", body="00258710",
               phone="0579-88121001", hall="青禾市档案馆一楼查阅大厅1号窗口"),
}
for _d in DEPTS.values():
    _d["code"] = uscc(_d["cat"], _d["body"])
    assert uscc_valid(_d["code"]), _d

COMPLAINT_PHONE = "0579-12345"
OFFICE_HOURS = "工作日 上午8:30-12:00，下午14:30-17:30（法定节假日除外）"
TYPE_TT = {"公共服务": "20", "行政确认": "07", "行政给付": "05", "行政处罚": "02", "行政检查": "06"}
# Items nobody applies for: no case type, channels, time limits, visits, materials or fee.
NOT_APPLIED = {"行政处罚", "行政强制", "行政检查", "行政征收"}

# ---------------------------------------------------------------------------------------------
# Building blocks
# ---------------------------------------------------------------------------------------------


def law(title, article, level="法律", doc_no=None):
    b = {"title": title, "level": level}
    if doc_no:
        b["doc_no"] = doc_no
    if article:
        b["article"] = article
    return b


def reg(title, article):
    return law(title, article, "行政法规")


def rule(title, article):
    return law(title, article, "部门规章")


def norm(title, doc_no, article):
    return law(title, article, "规范性文件", doc_no)


def M(name, kind="证件证书证明", form="纸质", necessity="必要", source="申请人自备", copies=1):
    m = {"name": name, "form": form, "kind": kind, "necessity": necessity, "source": source,
         "copies": copies}
    if kind == "申请表格文书":
        m["blank_form"] = True
        m["sample"] = True
    return m


def FORM(name, form="纸质/电子"):
    return M(name, kind="申请表格文书", form=form)


ID = M("居民身份证")
HUKOU = M("居民户口簿")
PHOTO = M("近期免冠一寸彩色照片", kind="其他", copies=2)


def L(value, unit="工作日"):
    return {"value": value, "unit": unit}


NO_LIMIT = {"value": None, "note": "法律法规未规定办结时限，按承诺时限办结"}


def default_process(promised):
    p = promised["value"]
    if p == 0:
        return [{"step": "受理", "days": 0}, {"step": "办结", "days": 0}]
    if p < 3:
        return [{"step": "受理", "days": 0}, {"step": "审核", "days": p}, {"step": "办结", "days": 0}]
    if p < 5:
        return [{"step": "受理", "days": 1}, {"step": "审核", "days": p - 2}, {"step": "办结", "days": 1}]
    return [{"step": "受理", "days": 1}, {"step": "审核", "days": p - 3}, {"step": "审批", "days": 1},
            {"step": "办结", "days": 1}]


def P(*steps):
    return [{"step": s, "days": d} for s, d in steps]


FREE = {"charged": False, "items": []}


def fee(*items):
    return {"charged": True, "items": list(items)}


def fee_item(name, standard, title, doc_no):
    return {"name": name, "standard": standard, "basis": [{"title": title, "doc_no": doc_no}],
            "reducible": False}


def mk(n, name, dept, item_type, basis, legal, promised, visits, depth, materials, result,
       reason=None, fee_=None, process=None, address=None, objects=None, express=False, faq=None,
       mmm=None):
    d = DEPTS[dept]
    item = {
        "code": f"{REGION}-GG-{n:05d}",
        "basic_code": f"00{TYPE_TT[item_type]}{d['dd']}{mmm:03d}000",
        "name": name,
        "item_type": item_type,
        "department": d["name"],
        "department_code": d["code"],
        "status": "在用",
    }
    # 权力来源 belongs to power items only (LB-09); public services leave it out.
    if item_type != "公共服务":
        item["power_source"] = "法定本级行使"
    item.update({
        "service_objects": objects or ["自然人"],
        "legal_basis": copy.deepcopy(basis),
        "case_type": "即办件" if promised["value"] == 0 else "承诺件",
        "channels": ["窗口办理"] + (["网上办理"] if depth >= 2 else []) + (["快递申请"] if express else []),
        "legal_limit": legal,
        "promised_limit": promised,
        "onsite_visits": visits,
    })
    if reason is not None:
        item["onsite_reason"] = reason
    f = fee_ or FREE
    item.update({
        "one_visit": visits <= 1,
        "online_depth": depth,
    })
    if depth >= 2:
        item["online_url"] = f"https://zwfw.qinghe.example/guide/{item['basic_code']}"
    item.update({
        "pay_online": bool(f["charged"] and depth >= 3),
        "fee": f,
        "materials": copy.deepcopy(materials),
        "process": process or default_process(promised),
        "result": {"name": result[0], "type": result[1], "sample": f"{result[0]}（样本）"},
        "address": address or d["hall"],
        "office_hours": OFFICE_HOURS,
        "consult_phone": d["phone"],
        "complaint_phone": COMPLAINT_PHONE,
    })
    if faq:
        item["faq"] = [{"question": q, "answer": a} for q, a in faq]
    return item


def mk_power(n, name, dept, item_type, basis, objects, mmm, **elements):
    """An item nobody applies for (处罚, 检查): its identity, basis and its own elements."""
    d = DEPTS[dept]
    item = {
        "code": f"{REGION}-GG-{n:05d}",
        "basic_code": f"00{TYPE_TT[item_type]}{d['dd']}{mmm:03d}000",
        "name": name,
        "item_type": item_type,
        "department": d["name"],
        "department_code": d["code"],
        "status": "在用",
        "power_source": "法定本级行使",
        "service_objects": objects,
        "legal_basis": copy.deepcopy(basis),
    }
    item.update(elements)
    item.update({"consult_phone": d["phone"], "complaint_phone": COMPLAINT_PHONE})
    return item


# ---------------------------------------------------------------------------------------------
# Frequently cited bases
# ---------------------------------------------------------------------------------------------
YJF = "中华人民共和国义务教育法"
SFZ = "中华人民共和国居民身份证法"
HKDJ = "中华人民共和国户口登记条例"
JZZ = "居住证暂行条例"
HYF = "中华人民共和国婚姻法"
HYDJ = "婚姻登记条例"
SHJZ = "社会救助暂行办法"
SBF = "中华人民共和国社会保险法"
GSBX = "工伤保险条例"
RKJS = "中华人民共和国人口与计划生育法"
CJR = "中华人民共和国残疾人保障法"
GGWH = "中华人民共和国公共文化服务保障法"
DAF = "中华人民共和国档案法"
SFZ_FEE_TITLE = "国家发展改革委 财政部关于居民身份证收费标准及有关问题的通知"
SFZ_FEE_DOC = "发改价格〔2003〕2322号"

JZ_ADDR = "青禾市婚姻登记中心（文昌路88号）一楼2号窗口"

# ---------------------------------------------------------------------------------------------
# Old snapshot (2017-06-30): 67 items
# ---------------------------------------------------------------------------------------------


def old_items():
    it = []
    a = it.append
    # ---- 教育局 ------------------------------------------------------------------------------
    a(mk(1, "义务教育阶段学生转学", "edu", "公共服务",
         [law(YJF, "第十二条"), norm("教育部关于印发《中小学生学籍管理办法》的通知", "教基一〔2013〕7号", "第十五条")],
         L(20), L(5), 1, 3,
         [ID, HUKOU, FORM("义务教育阶段学生转学申请表"), M("转入学校同意接收证明")],
         ("学生转学证明", "其他"), reason="需核验学生及监护人身份原件", mmm=1,
         faq=[("转学一般在什么时间办理？", "原则上在每学期开学后一个月内办理，毕业年级第二学期不予转学。")]))
    a(mk(2, "小学一年级新生入学登记", "edu", "公共服务", [law(YJF, "第十一条")],
         NO_LIMIT, L(0), 1, 3,
         [ID, HUKOU, FORM("小学一年级新生入学登记表"), M("房屋所有权证或不动产权证书")],
         ("入学通知书", "其他"), reason="需核验户籍及房产证件原件", mmm=2))
    a(mk(3, "初中新生入学登记", "edu", "公共服务", [law(YJF, "第十二条")],
         NO_LIMIT, L(0), 1, 3,
         [ID, HUKOU, FORM("初中新生入学登记表"), M("小学毕业证书")],
         ("入学通知书", "其他"), reason="需核验户籍及毕业证书原件", mmm=3))
    # OV-02: onsite_visits 1 but no onsite_reason (persisting)
    a(mk(4, "适龄儿童少年延缓入学申请", "edu", "公共服务", [law(YJF, "第十一条")],
         L(20), L(10), 1, 2,
         [ID, HUKOU, FORM("适龄儿童少年延缓入学申请表"), M("县级以上医院出具的诊断证明")],
         ("延缓入学告知书", "其他"), mmm=4))
    # TL-05: process days 2+7+3 = 12 > promised 10 (persisting)
    a(mk(5, "普通高中国家助学金申请", "edu", "行政给付",
         [norm("财政部 教育部关于印发《普通高中国家助学金管理暂行办法》的通知", "财教〔2010〕461号", "第八条")],
         L(30), L(10), 1, 2,
         [ID, FORM("普通高中国家助学金申请表"), M("家庭经济困难情况证明")],
         ("普通高中国家助学金资助名单", "其他"), reason="需学生本人到校签字确认",
         process=P(("受理", 2), ("审核", 7), ("公示", 3)), mmm=5))
    a(mk(6, "教师资格证书补发换发", "edu", "公共服务", [law("中华人民共和国教师法", "第十条")],
         L(20), L(10), 1, 3,
         [ID, PHOTO, FORM("教师资格证书补发换发申请表"), M("原教师资格证书", necessity="容缺后补")],
         ("教师资格证书", "证照"), reason="需核验申请人身份并领取证书原件", mmm=6))
    # ---- 公安局 ------------------------------------------------------------------------------
    sfz_proc = P(("受理", 1), ("审核", 5), ("制证", 20), ("办结", 1))
    a(mk(7, "居民身份证换领", "psb", "公共服务", [law(SFZ, "第十一条")],
         L(60, "自然日"), L(30, "自然日"), 1, 2,
         [ID, HUKOU],
         ("居民身份证", "证照"), reason="需现场采集人像和指纹信息", process=sfz_proc, express=True,
         fee_=fee(fee_item("居民身份证工本费", "申领、换领每证20元", SFZ_FEE_TITLE, SFZ_FEE_DOC)), mmm=1))
    a(mk(8, "居民身份证补领", "psb", "公共服务", [law(SFZ, "第十一条")],
         L(60, "自然日"), L(30, "自然日"), 1, 2,
         [HUKOU, FORM("居民身份证丢失声明")],
         ("居民身份证", "证照"), reason="需现场采集人像和指纹信息", process=sfz_proc, express=True,
         fee_=fee(fee_item("居民身份证工本费", "丢失补领、损坏换领每证40元", SFZ_FEE_TITLE, SFZ_FEE_DOC)),
         mmm=2))
    # FEE-08: doc_no with a leading zero (persisting)
    a(mk(9, "临时居民身份证办理", "psb", "公共服务", [law(SFZ, "第十二条")],
         NO_LIMIT, L(3), 1, 2,
         [HUKOU, PHOTO, M("居民身份证受理回执")],
         ("临时居民身份证", "证照"), reason="需现场核验本人身份",
         fee_=fee(fee_item("临时居民身份证工本费", "每证10元", SFZ_FEE_TITLE, "发改价格〔2003〕02322号")),
         mmm=3))
    a(mk(10, "出生登记", "psb", "公共服务", [law(HKDJ, "第七条")],
         NO_LIMIT, L(0), 1, 3,
         [M("出生医学证明"), M("父母的居民户口簿"), M("父母的结婚证")],
         ("居民户口簿", "证照"), reason="需核验出生医学证明原件", mmm=4))
    a(mk(11, "户口迁入（投靠亲属）", "psb", "公共服务", [law(HKDJ, "第十三条")],
         L(20), L(10), 1, 3,
         [ID, HUKOU, M("亲属关系证明"), FORM("户口迁移申请表")],
         ("居民户口簿", "证照"), reason="需核验亲属关系证明原件", mmm=5))
    a(mk(12, "居住证申领", "psb", "公共服务", [reg(JZZ, "第九条")],
         L(15, "自然日"), L(10, "自然日"), 1, 3,
         [ID, PHOTO, M("合法稳定居所证明"), FORM("居住证申领登记表")],
         ("居住证", "证照"), reason="需现场采集人像信息", mmm=6))
    # FEE-01: charged but no fee item (persisting)
    a(mk(13, "居住证换领、补领", "psb", "公共服务", [reg(JZZ, "第十三条")],
         L(15, "自然日"), L(10, "自然日"), 1, 3,
         [ID, PHOTO, FORM("居住证换领补领申请表")],
         ("居住证", "证照"), reason="需现场核验本人身份", fee_={"charged": True, "items": []}, mmm=7))
    a(mk(14, "居民户口簿补领", "psb", "公共服务", [law(HKDJ, "第四条")],
         NO_LIMIT, L(0), 1, 3,
         [ID, FORM("居民户口簿补领申请表")],
         ("居民户口簿", "证照"), reason="需户主或成员本人现场签字确认", mmm=8))
    a(mk(15, "姓名变更登记", "psb", "公共服务", [law(HKDJ, "第十八条")],
         L(20), L(10), 1, 2,
         [ID, HUKOU, FORM("姓名变更申请表"), M("监护人同意变更姓名的书面意见", necessity="非必要")],
         ("居民户口簿", "证照"), reason="需本人现场签字确认", mmm=9))
    # TL-02: promised 0 but 承诺件 (persisting)
    it16 = mk(16, "户口登记项目变更更正", "psb", "公共服务", [law(HKDJ, "第十七条")],
              L(20), L(0), 1, 3,
              [ID, HUKOU, FORM("户口登记项目变更更正申请表"), M("变更更正项目的原始凭证")],
              ("居民户口簿", "证照"), reason="需核验原始凭证原件", mmm=10)
    it16["case_type"] = "承诺件"
    a(it16)
    # ---- 民政局 ------------------------------------------------------------------------------
    a(mk(17, "结婚登记", "mz", "公共服务", [law(HYF, "第八条"), reg(HYDJ, "第四条")],
         L(0), L(0), 1, 2,
         [M("男方居民身份证"), M("女方居民身份证"), M("男方居民户口簿"), M("女方居民户口簿"),
          M("双方近期半身免冠合影照片", kind="其他", copies=3),
          FORM("申请结婚登记声明书", form="纸质")],
         ("结婚证", "证照"), reason="婚姻登记须双方当事人亲自到场", address=JZ_ADDR, mmm=1,
         faq=[("可以在非户籍地办理结婚登记吗？", "须到一方当事人常住户口所在地的婚姻登记机关办理。")]))
    a(mk(18, "离婚登记", "mz", "公共服务", [law(HYF, "第三十一条"), reg(HYDJ, "第十条")],
         L(0), L(0), 1, 2,
         [ID, HUKOU, M("结婚证"), M("双方近期半身免冠单人照片", kind="其他", copies=2),
          FORM("离婚协议书", form="纸质")],
         ("离婚证", "证照"), reason="婚姻登记须双方当事人亲自到场", address=JZ_ADDR, mmm=2))
    # FEE-02: not charged but pay_online true (persisting)
    it19 = mk(19, "补领婚姻登记证", "mz", "公共服务", [reg(HYDJ, "第十七条")],
              NO_LIMIT, L(0), 1, 2,
              [ID, HUKOU, FORM("申请补领婚姻登记证声明书", form="纸质")],
              ("结婚证或离婚证", "证照"), reason="需本人到场签署声明", address=JZ_ADDR, mmm=3)
    it19["pay_online"] = True
    a(it19)
    # OV-03: onsite_visits 2 (persisting)
    a(mk(20, "收养登记", "mz", "行政确认", [law("中华人民共和国收养法", "第十五条")],
         L(30, "自然日"), L(20, "自然日"), 2, 1,
         [ID, HUKOU, FORM("收养登记申请书"), M("收养人婚姻状况证明"), M("被收养人出生证明")],
         ("收养登记证", "证照"), reason="收养关系当事人须亲自到场申请，并现场领取收养登记证", mmm=4))
    a(mk(21, "特困人员认定", "mz", "行政确认",
         [reg(SHJZ, "第十四条"), norm("民政部关于印发《特困人员认定办法》的通知", "民发〔2016〕178号", "第二条")],
         L(30), L(20), 1, 2,
         [ID, HUKOU, FORM("特困人员救助供养申请书"), M("家庭收入和财产状况申报材料", kind="其他")],
         ("特困人员救助供养证", "证照"), reason="需入户调查并由申请人签字确认", mmm=5))
    a(mk(22, "最低生活保障审核", "mz", "行政给付", [reg(SHJZ, "第十一条")],
         L(30), L(20), 1, 2,
         [ID, HUKOU, FORM("最低生活保障申请书"), FORM("家庭经济状况核对授权书", form="纸质")],
         ("最低生活保障证", "证照"), reason="需签署家庭经济状况核对授权书", mmm=6))
    a(mk(23, "临时救助", "mz", "行政给付",
         [reg(SHJZ, "第四十六条"), norm("国务院关于全面建立临时救助制度的通知", "国发〔2014〕47号", "第二条")],
         L(20), L(10), 1, 2,
         [ID, HUKOU, FORM("临时救助申请审批表"), M("遭遇突发事件或意外伤害的相关证明")],
         ("临时救助金发放", "其他"), reason="需核实申请人困难情况", mmm=7))
    a(mk(24, "高龄津贴发放", "mz", "行政给付",
         [law("中华人民共和国老年人权益保障法", "第三十三条")],
         NO_LIMIT, L(10), 0, 4,
         [ID, FORM("高龄津贴申请表", form="电子"), M("本人银行卡或存折", form="电子")],
         ("高龄津贴发放", "其他"), mmm=8))
    a(mk(25, "困难残疾人生活补贴和重度残疾人护理补贴申领", "mz", "行政给付",
         [norm("国务院关于全面建立困难残疾人生活补贴和重度残疾人护理补贴制度的意见", "国发〔2015〕52号", "第二条")],
         NO_LIMIT, L(15), 1, 3,
         [ID, M("中华人民共和国残疾人证"), FORM("残疾人两项补贴申请审批表")],
         ("残疾人两项补贴发放", "其他"), reason="需核验残疾人证原件", mmm=9))
    a(mk(26, "孤儿基本生活费发放", "mz", "行政给付",
         [norm("国务院办公厅关于加强孤儿保障工作的意见", "国办发〔2010〕54号", "第二条")],
         NO_LIMIT, L(20), 1, 2,
         [HUKOU, M("父母死亡证明或人民法院宣告失踪、死亡的判决书"), FORM("孤儿基本生活费申请表")],
         ("孤儿基本生活费发放", "其他"), reason="需监护人到场签字确认", mmm=10))
    # ---- 人力资源和社会保障局 -----------------------------------------------------------------
    a(mk(27, "城乡居民基本养老保险参保登记", "rs", "公共服务",
         [law(SBF, "第二十条"), norm("国务院关于建立统一的城乡居民基本养老保险制度的意见", "国发〔2014〕8号", "第四条")],
         NO_LIMIT, L(0), 0, 4,
         [ID, FORM("城乡居民基本养老保险参保登记表", form="电子")],
         ("城乡居民基本养老保险参保登记回执", "其他"), mmm=1))
    a(mk(28, "失业保险金申领", "rs", "行政给付",
         [law(SBF, "第四十五条"), reg("失业保险条例", "第十四条")],
         L(20), L(10), 1, 3,
         [ID, M("终止或者解除劳动合同的证明"), FORM("失业保险金申领登记表")],
         ("失业保险金核定通知", "其他"), reason="需现场核验身份并办理失业登记",
         process=P(("受理", 1), ("审核", 3), ("办结", 1)), mmm=2))
    a(mk(29, "就业困难人员认定", "rs", "行政确认", [law("中华人民共和国就业促进法", "第五十二条")],
         L(20), L(5), 1, 3,
         [ID, HUKOU, FORM("就业困难人员认定申请表"), M("就业创业证")],
         ("就业困难人员认定告知书", "其他"), reason="需核验身份及就业创业证原件", mmm=3))
    a(mk(30, "失业登记", "rs", "公共服务", [rule("就业服务与就业管理规定", "第六十三条")],
         NO_LIMIT, L(0), 0, 4,
         [ID, FORM("失业登记表", form="电子")],
         ("就业创业证", "证照"), mmm=4))
    a(mk(31, "社会保障卡申领", "rs", "公共服务", [law(SBF, "第五十八条")],
         NO_LIMIT, L(15), 1, 3,
         [ID, PHOTO, FORM("社会保障卡申领登记表")],
         ("社会保障卡", "证照"), reason="领卡时需本人到场激活金融功能", mmm=5))
    # FEE-06: unquantified fee standard (persisting)
    a(mk(32, "社会保障卡补领、换领", "rs", "公共服务", [law(SBF, "第五十八条")],
         NO_LIMIT, L(15), 1, 3,
         [ID, FORM("社会保障卡补换申请表")],
         ("社会保障卡", "证照"), reason="领卡时需本人到场激活金融功能",
         fee_=fee(fee_item("社会保障卡补换卡工本费", "按有关规定收取",
                           "青禾市物价局关于社会保障卡补换卡工本费的批复", "青价费〔2014〕23号")), mmm=6))
    a(mk(33, "职业技能鉴定", "rs", "公共服务", [law("中华人民共和国劳动法", "第六十九条")],
         NO_LIMIT, L(30), 1, 3,
         [ID, PHOTO, FORM("职业技能鉴定申报表"), M("学历证书或职业培训结业证书")],
         ("职业资格证书", "证照"), reason="需本人参加现场考核",
         process=P(("受理", 1), ("考核", 20), ("审核", 8), ("办结", 1)),
         fee_=fee(fee_item("职业技能鉴定费", "初级每人次120元，中级每人次160元，高级每人次200元",
                           "关于职业技能鉴定收费标准的通知", "浙价费〔2012〕208号")), mmm=7))
    # FEE-08: doc_no with square brackets (persisting)
    a(mk(34, "专业技术人员职业资格考试报名", "rs", "公共服务", [law("中华人民共和国劳动法", "第六十九条")],
         NO_LIMIT, L(0), 0, 4,
         [ID, M("学历证书", form="电子"), M("近期免冠证件照电子版", kind="其他", form="电子")],
         ("准考证", "证照"),
         fee_=fee(fee_item("考务费", "每人每科55元", "关于调整人事考试考务费收费标准的通知", "浙价费[2016]112号")),
         mmm=8))
    # OV-05: online_depth 4 with one onsite visit (persisting)
    a(mk(35, "个人社会保险参保缴费证明打印", "rs", "公共服务", [law(SBF, "第七十四条")],
         NO_LIMIT, L(0), 1, 4,
         [ID],
         ("社会保险参保缴费证明", "其他"), reason="需现场核验本人身份", mmm=9))
    a(mk(36, "基本养老保险关系转移接续", "rs", "公共服务",
         [law(SBF, "第十九条"),
          norm("国务院办公厅关于转发人力资源社会保障部财政部城镇企业职工基本养老保险关系转移接续暂行办法的通知",
               "国办发〔2009〕66号", "第八条")],
         L(15), L(10), 1, 3,
         [ID, FORM("基本养老保险关系转移接续申请表"), M("参保缴费凭证")],
         ("基本养老保险关系转移接续联系函", "其他"), reason="需现场核验参保缴费凭证原件", mmm=10))
    a(mk(37, "门诊特殊病种待遇认定", "rs", "行政确认",
         [law(SBF, "第二十八条"),
          norm("青禾市基本医疗保险门诊特殊病种管理办法", "青人社发〔2016〕38号", "第六条")],
         NO_LIMIT, L(10), 1, 3,
         [ID, M("社会保障卡"), M("二级以上医院出具的疾病诊断证明"), FORM("门诊特殊病种待遇认定申请表")],
         ("门诊特殊病种待遇认定结果", "其他"), reason="需核验病历及诊断证明原件", mmm=11))
    a(mk(38, "基本医疗保险异地就医备案", "rs", "公共服务", [law(SBF, "第二十九条")],
         NO_LIMIT, L(0), 0, 4,
         [M("社会保障卡", form="电子"), FORM("异地就医备案登记表", form="电子")],
         ("异地就医备案回执", "其他"), mmm=12))
    a(mk(39, "生育保险待遇申领", "rs", "行政给付", [law(SBF, "第五十四条")],
         NO_LIMIT, L(15), 1, 3,
         [ID, M("出生医学证明"), M("医疗费用票据"), FORM("生育保险待遇申请表")],
         ("生育保险待遇核定结果", "其他"), reason="需核验医疗费用票据原件", mmm=13))
    a(mk(40, "工伤认定申请", "rs", "行政确认", [reg(GSBX, "第十七条")],
         L(60, "自然日"), L(30, "自然日"), 1, 2,
         [ID, FORM("工伤认定申请表"), M("劳动关系证明"), M("医疗诊断证明")],
         ("认定工伤决定书", "其他"), reason="需核验劳动关系证明原件", mmm=14))
    a(mk(41, "工伤保险待遇申领", "rs", "行政给付", [reg(GSBX, "第三十条")],
         NO_LIMIT, L(20), 1, 2,
         [ID, M("认定工伤决定书"), M("劳动能力鉴定结论"), FORM("工伤保险待遇申请表")],
         ("工伤保险待遇核定结果", "其他"), reason="需核验工伤认定及鉴定结论原件", mmm=15))
    # ---- 住房和城乡建设局 -------------------------------------------------------------------
    a(mk(42, "公共租赁住房申请", "zj", "公共服务", [rule("公共租赁住房管理办法", "第七条")],
         NO_LIMIT, L(20), 1, 3,
         [ID, HUKOU, FORM("公共租赁住房申请表"), M("家庭成员收入证明")],
         ("公共租赁住房保障资格确认通知", "其他"), reason="需家庭成员现场签署核查授权书", mmm=1))
    a(mk(43, "城镇住房保障家庭租赁补贴申请", "zj", "行政给付", [rule("廉租住房保障办法", "第四条")],
         NO_LIMIT, L(20), 1, 2,
         [ID, HUKOU, FORM("住房租赁补贴申请表"), M("房屋租赁合同")],
         ("住房租赁补贴发放", "其他"), reason="需核验房屋租赁合同原件", mmm=2))
    # LB-02: 规范性文件 without doc_no (persisting)
    a(mk(44, "城镇低收入住房困难家庭认定", "zj", "行政确认",
         [law("国务院关于解决城市低收入家庭住房困难的若干意见", "第二部分第（五）项", "规范性文件")],
         NO_LIMIT, L(20), 1, 2,
         [ID, HUKOU, FORM("低收入住房困难家庭认定申请表"), M("家庭成员收入证明")],
         ("城镇低收入住房困难家庭认定结果", "其他"), reason="需家庭成员现场签署核查授权书", mmm=3))
    a(mk(45, "农村困难家庭危房改造补助申请", "zj", "行政给付",
         [reg(SHJZ, "第三十八条"),
          norm("青禾市人民政府办公室关于印发青禾市农村困难家庭危房改造实施办法的通知", "青政办发〔2016〕45号", "第五条")],
         NO_LIMIT, L(30), 1, 1,
         [ID, HUKOU, FORM("农村危房改造补助申请表"), M("房屋危险性鉴定报告", source="中介机构出具")],
         ("危房改造补助资金发放", "其他"), reason="需现场查勘房屋状况", mmm=4))
    # ---- 卫生和计划生育委员会 ---------------------------------------------------------------
    a(mk(46, "出生医学证明办理", "wj", "公共服务", [law("中华人民共和国母婴保健法", "第二十三条")],
         NO_LIMIT, L(0), 1, 2,
         [M("父亲居民身份证"), M("母亲居民身份证"), FORM("出生医学证明首次签发登记表")],
         ("出生医学证明", "证照"), reason="需核验父母身份证件原件",
         address="青禾市妇幼保健院一楼6号窗口", mmm=1))
    a(mk(47, "出生医学证明补发、换发", "wj", "公共服务", [law("中华人民共和国母婴保健法", "第二十三条")],
         NO_LIMIT, L(5), 1, 2,
         [M("父亲居民身份证"), M("母亲居民身份证"), FORM("出生医学证明补发换发申请表"), M("原出生医学证明", necessity="非必要")],
         ("出生医学证明", "证照"), reason="需核验父母身份证件原件",
         address="青禾市妇幼保健院一楼6号窗口", mmm=2))
    a(mk(48, "生育登记", "wj", "公共服务", [law(RKJS, "第十八条")],
         NO_LIMIT, L(0), 0, 4,
         [M("夫妻双方居民身份证", form="电子"), FORM("生育登记表", form="电子")],
         ("生育服务登记回执", "其他"), mmm=3))
    # TL-03: promised limit in "天" (persisting)
    a(mk(49, "计划生育家庭特别扶助金申领", "wj", "行政给付", [law(RKJS, "第二十七条")],
         L(20), {"value": 15, "unit": "天"}, 1, 2,
         [ID, HUKOU, FORM("计划生育家庭特别扶助申请表"), M("独生子女死亡或伤残证明")],
         ("特别扶助金发放", "其他"), reason="需本人现场签署承诺书",
         process=P(("受理", 1), ("审核", 10), ("公示", 3), ("办结", 1)), mmm=4))
    a(mk(50, "农村部分计划生育家庭奖励扶助金申领", "wj", "行政给付", [law(RKJS, "第二十七条")],
         NO_LIMIT, L(20), 1, 2,
         [ID, HUKOU, FORM("农村部分计划生育家庭奖励扶助申请表")],
         ("奖励扶助金发放", "其他"), reason="需本人现场签署承诺书", mmm=5))
    a(mk(51, "预防接种证办理", "wj", "公共服务", [reg("疫苗流通和预防接种管理条例", "第二十六条")],
         NO_LIMIT, L(0), 1, 1,
         [M("出生医学证明"), M("监护人居民身份证")],
         ("预防接种证", "证照"), reason="需现场建立儿童预防接种档案",
         address="青禾市疾病预防控制中心一楼预防接种门诊2号窗口", mmm=6))
    a(mk(52, "流动人口婚育证明办理", "wj", "公共服务", [reg("流动人口计划生育工作条例", "第十条")],
         NO_LIMIT, L(0), 1, 2,
         [ID, HUKOU, M("结婚证", necessity="非必要")],
         ("流动人口婚育证明", "证照"), reason="需现场核验本人身份", mmm=7))
    a(mk(53, "独生子女父母光荣证办理", "wj", "公共服务", [law(RKJS, "第二十七条")],
         NO_LIMIT, L(0), 1, 2,
         [M("夫妻双方居民身份证"), HUKOU, M("结婚证")],
         ("独生子女父母光荣证", "证照"), reason="需现场核验婚育情况", mmm=8))
    # ---- 残疾人联合会 -----------------------------------------------------------------------
    # OV-11: the same material twice, "居民身份证" and "居民身份证 " (persisting)
    a(mk(54, "残疾人证办理", "cl", "公共服务", [law(CJR, "第二条")],
         NO_LIMIT, L(20), 1, 2,
         [ID, HUKOU, M("居民身份证 "), M("近期免冠二寸彩色照片", kind="其他", copies=3),
          FORM("残疾人证申请表")],
         ("中华人民共和国残疾人证", "证照"), reason="需到指定医院现场进行残疾评定", mmm=1))
    # HTML-escaping test: a script tag in the name, otherwise clean (persisting)
    a(mk(55, '<script>alert("青禾")</script>残疾人证补办', "cl", "公共服务", [law(CJR, "第二条")],
         NO_LIMIT, L(5), 0, 4,
         [ID, M("近期免冠二寸彩色照片电子版", kind="其他", form="电子"), FORM("残疾人证补办申请表", form="电子")],
         ("中华人民共和国残疾人证", "证照"), express=True, mmm=2))
    a(mk(56, "残疾人证迁移", "cl", "公共服务", [law(CJR, "第二条")],
         NO_LIMIT, L(5), 1, 3,
         [M("中华人民共和国残疾人证"), HUKOU, FORM("残疾人证迁移申请表")],
         ("中华人民共和国残疾人证", "证照"), reason="需核验残疾人证原件", mmm=3))
    # CF-03: department_code with a wrong check character (persisting), see below
    a(mk(57, "残疾人辅助器具适配补贴申请", "cl", "行政给付", [law(CJR, "第二十条")],
         NO_LIMIT, L(15), 1, 2,
         [M("中华人民共和国残疾人证"), FORM("辅助器具适配补贴申请表"), M("辅助器具购置发票")],
         ("辅助器具适配补贴发放", "其他"), reason="需现场进行辅助器具适配评估", mmm=4))
    a(mk(58, "残疾人职业技能培训报名", "cl", "公共服务", [law(CJR, "第三十条")],
         NO_LIMIT, L(0), 0, 4,
         [M("中华人民共和国残疾人证", form="电子"), FORM("残疾人职业技能培训报名表", form="电子")],
         ("培训报名回执", "其他"), mmm=5))
    # ---- 司法局 ------------------------------------------------------------------------------
    a(mk(59, "法律援助申请", "sf", "公共服务", [reg("法律援助条例", "第十条")],
         L(7), L(5), 1, 2,
         [ID, FORM("法律援助申请表"), M("经济困难状况说明表"), M("与所申请法律援助事项有关的案件材料")],
         ("给予法律援助决定书", "其他"), reason="需当面了解案情并签署委托协议", mmm=1))
    # CF-09: consult phone identical to complaint phone (persisting)
    it60 = mk(60, "人民调解申请", "sf", "公共服务", [law("中华人民共和国人民调解法", "第十七条")],
              NO_LIMIT, L(3), 1, 1,
              [ID, FORM("人民调解申请书")],
              ("人民调解协议书", "其他"), reason="调解须当事人到场", mmm=2,
              address="青禾市司法局一楼人民调解室")
    it60["consult_phone"] = "0579-12348"
    it60["complaint_phone"] = "0579-12348"
    a(it60)
    # ---- 文化广电新闻出版局 -----------------------------------------------------------------
    a(mk(61, "公共图书馆读者证办理", "wg", "公共服务", [law(GGWH, "第三十一条")],
         NO_LIMIT, L(0), 1, 2,
         [ID],
         ("读者证", "证照"), reason="需现场录入读者信息", address="青禾市图书馆一楼总服务台2号窗口", mmm=1))
    # TL-01: promised 30 > legal 20 (persisting)
    a(mk(62, "非物质文化遗产代表性传承人认定申请", "wg", "行政确认",
         [law("中华人民共和国非物质文化遗产法", "第二十九条")],
         L(20), L(30), 1, 2,
         [ID, FORM("非物质文化遗产代表性传承人申报表"), M("传承谱系及技艺水平说明", kind="其他")],
         ("代表性传承人认定结果", "其他"), reason="需现场展示传承技艺", mmm=2,
         process=P(("受理", 1), ("专家评审", 20), ("公示", 7), ("办结", 1))))
    a(mk(63, "文化馆公益艺术培训报名", "wg", "公共服务", [law(GGWH, "第三十一条")],
         NO_LIMIT, L(0), 0, 4,
         [M("居民身份证", form="电子"), FORM("公益艺术培训报名表", form="电子")],
         ("培训报名回执", "其他"), mmm=3))
    # ---- 档案局 ------------------------------------------------------------------------------
    a(mk(64, "档案查阅利用", "da", "公共服务", [law(DAF, "第十九条")],
         NO_LIMIT, L(0), 1, 2,
         [ID, FORM("档案查阅利用登记表")],
         ("档案查阅证明", "其他"), reason="需核验查档人身份证件原件", mmm=1))
    # LB-01: empty legal basis (persisting)
    a(mk(65, "开放档案目录查询", "da", "公共服务", [],
         NO_LIMIT, L(0), 0, 4,
         [M("居民身份证", form="电子")],
         ("开放档案目录查询结果", "其他"), mmm=2))

    # ---- items nobody applies for (clean): no case type, channels, limits or visits asked ------
    a(mk_power(70, "对出租、出借、转让居民身份证的行政处罚", "psb", "行政处罚",
               [law(SFZ, "第十六条")], ["自然人"], mmm=21,
               penalty_kinds=["警告", "罚款", "没收违法所得"],
               result_delivery="直接送达；留置送达；邮寄送达"))
    a(mk_power(71, "对公共场所卫生状况的监督检查", "wj", "行政检查",
               [reg("公共场所卫生管理条例", "第十三条")], ["企业法人", "非法人企业"], mmm=22,
               inspection_objects="本市行政区域内的住宿、沐浴、美容美发等公共场所经营单位",
               inspection_methods=["现场检查", "双随机抽查"]))

    # CF-03 on 00057: replace the check character with a different (wrong) one
    bad = next(i for i in it if i["code"].endswith("00057"))
    good = bad["department_code"]
    wrong = USCC_ALPHABET[(USCC_ALPHABET.index(good[17]) + 7) % 31]
    bad["department_code"] = good[:17] + wrong
    return it


# ---------------------------------------------------------------------------------------------
# New snapshot (2017-12-31)
# ---------------------------------------------------------------------------------------------

def by_code(items, n):
    code = f"{REGION}-GG-{n:05d}"
    return next(i for i in items if i["code"] == code)


def new_items(old):
    it = copy.deepcopy(old)
    # C1 失业保险金申领: promised_limit 10 -> 5 (approved, fields [promised_limit])
    by_code(it, 28)["promised_limit"] = L(5)
    # C2 公共租赁住房申请: a material added (approved, fields [materials], published 9 days late)
    by_code(it, 42)["materials"].append(FORM("家庭住房情况承诺书", form="纸质"))
    # C3 职业技能鉴定: fee standard and basis (approved, fields [fee], filed 20 days late)
    by_code(it, 33)["fee"] = fee(fee_item("职业技能鉴定费", "初级每人次100元，中级每人次140元，高级每人次180元",
                                          "关于调整部分行政事业性收费标准的通知", "浙价费〔2017〕88号"))
    # C4 临时救助: legal basis article corrected 第四十六条 -> 第四十七条 (approved, fields [legal_basis])
    by_code(it, 23)["legal_basis"][0]["article"] = "第四十七条"
    # C5 就业困难人员认定: 居民户口簿 dropped from materials, NO request (-> DA-03)
    c5 = by_code(it, 29)
    c5["materials"] = [m for m in c5["materials"] if m["name"] != "居民户口簿"]
    # C6 法律援助申请: address moved (requested) AND name edited (not requested -> DA-03)
    c6 = by_code(it, 59)
    c6["name"] = "公民法律援助申请"
    c6["address"] = "青禾市公共法律服务中心一楼3号窗口"
    # R 结婚登记: materials merely reordered (must NOT be reported as changed)
    r = by_code(it, 17)
    r["materials"] = list(reversed(r["materials"]))
    # X1 流动人口婚育证明办理: removed (approved cancel)
    it = [i for i in it if not i["code"].endswith("00052")]
    # X2 独生子女父母光荣证办理: status 取消 with NO request (-> DA-02)
    by_code(it, 53)["status"] = "取消"
    # recode 00031 -> 00131 (approved change naming new_code); everything else identical
    by_code(it, 31)["code"] = f"{REGION}-GG-00131"

    # 4 added items
    # A1: approved add; LB-02 planted (a basis without article), new in this snapshot
    it.append(mk(66, "经济困难的高龄、失能等老年人补贴申领", "mz", "行政给付",
                 [law("中华人民共和国老年人权益保障法", None),
                  norm("财政部 民政部 全国老龄办关于建立健全经济困难的高龄 失能等老年人补贴制度的通知",
                       "财社〔2014〕113号", "第二部分")],
                 NO_LIMIT, L(15), 1, 3,
                 [ID, HUKOU, FORM("经济困难老年人补贴申请表"), M("老年人能力评估报告")],
                 ("老年人补贴发放", "其他"), reason="需入户评估老年人失能等级", mmm=11))
    # A2: approved add; OV-08 planted (catch-all material), new in this snapshot
    it.append(mk(67, "参保职工技能提升补贴申领", "rs", "行政给付",
                 [norm("人力资源社会保障部 财政部关于失业保险支持参保职工提升职业技能有关问题的通知",
                       "人社部发〔2017〕40号", "第一条")],
                 NO_LIMIT, L(10), 0, 4,
                 [ID, M("职业资格证书或职业技能等级证书", form="电子"), M("本人社会保障卡", form="电子"),
                  M("其他相关材料", kind="其他", form="电子")],
                 ("技能提升补贴发放", "其他"), mmm=16))
    # A3: approved add; clean
    it.append(mk(68, "残疾儿童少年送教上门申请", "edu", "公共服务",
                 [reg("残疾人教育条例", "第十七条"),
                  norm("青禾市教育局关于做好残疾儿童少年送教上门工作的通知", "青教发〔2017〕56号", "第三条")],
                 NO_LIMIT, L(10), 1, 2,
                 [HUKOU, M("中华人民共和国残疾人证"), FORM("送教上门申请表")],
                 ("送教上门安排通知", "其他"), reason="需入户评估儿童身体状况", mmm=7))
    # A4: NO adjustment entry (-> DA-01); otherwise clean
    it.append(mk(69, "公共图书馆数字资源远程访问账号申请", "wg", "公共服务", [law(GGWH, "第三十三条")],
                 NO_LIMIT, L(0), 0, 4,
                 [M("居民身份证", form="电子")],
                 ("数字资源远程访问账号", "其他"), mmm=4))
    return it


# ---------------------------------------------------------------------------------------------
# Adjustment log
# ---------------------------------------------------------------------------------------------

def adj(kind, n, dept, reason, basis, trigger, filed, approved, published, fields=None, **extra):
    a = {"id": None, "kind": kind, "code": f"{REGION}-GG-{n:05d}", "department": DEPTS[dept]["name"]}
    if fields is not None:
        a["fields"] = fields
    a.update(extra)
    a.update({"reason": reason, "basis": [{"title": t, "doc_no": d} for t, d in basis],
              "trigger_date": trigger, "filed_on": filed, "approved_on": approved,
              # Content changes are approved by the 编办; adding or cancelling an item needs the
              # city government itself (DA-07).
              "approved_by": "青禾市编办" if kind == "change" else "青禾市人民政府",
              "published_on": published})
    return a


ZXPC = ("青禾市人民政府办公室关于深化“最多跑一次”改革进一步压缩办事时限的通知", "青政办发〔2017〕36号")


def adjustments():
    lst = [
        adj("change", 28, "rs", "落实“最多跑一次”改革要求，压缩承诺办结时限", [ZXPC],
            "2017-07-10", "2017-07-13", "2017-07-20", "2017-07-21", fields=["promised_limit"]),
        adj("add", 68, "edu", "《残疾人教育条例》修订施行，新增送教上门公共服务事项",
            [("青禾市教育局关于做好残疾儿童少年送教上门工作的通知", "青教发〔2017〕56号")],
            "2017-07-17", "2017-07-19", "2017-07-28", "2017-07-31"),
        # DA-08: published 9 calendar days (7 working days) after approval
        adj("change", 42, "zj", "完善公共租赁住房申请家庭住房情况核查，增加承诺书材料",
            [("青禾市住房和城乡建设局关于规范公共租赁住房申请审核工作的通知", "青建发〔2017〕41号")],
            "2017-08-01", "2017-08-04", "2017-08-14", "2017-08-23", fields=["materials"]),
        adj("change", 23, "mz", "更正设定依据条款序号",
            [("青禾市民政局关于规范社会救助事项设定依据的通知", "青民发〔2017〕52号")],
            "2017-08-07", "2017-08-09", "2017-08-16", "2017-08-17", fields=["legal_basis"]),
        adj("add", 66, "mz", "落实经济困难的高龄、失能等老年人补贴制度，新增补贴申领事项",
            [("财政部 民政部 全国老龄办关于建立健全经济困难的高龄 失能等老年人补贴制度的通知", "财社〔2014〕113号"),
             ("青禾市人民政府关于建立经济困难老年人补贴制度的通知", "青政发〔2017〕24号")],
            "2017-08-21", "2017-08-24", "2017-09-01", "2017-09-04"),
        # DA-05: filed 20 calendar days (14 working days) after the trigger
        adj("change", 33, "rs", "执行新的职业技能鉴定收费标准",
            [("关于调整部分行政事业性收费标准的通知", "浙价费〔2017〕88号")],
            "2017-09-01", "2017-09-21", "2017-09-27", "2017-09-28", fields=["fee"]),
        adj("add", 67, "rs", "落实失业保险支持参保职工提升职业技能政策，新增技能提升补贴申领事项",
            [("人力资源社会保障部 财政部关于失业保险支持参保职工提升职业技能有关问题的通知", "人社部发〔2017〕40号"),
             ("青禾市人力资源和社会保障局 青禾市财政局关于实施参保职工技能提升补贴政策的通知", "青人社发〔2017〕58号")],
            "2017-09-11", "2017-09-13", "2017-09-20", "2017-09-21"),
        adj("cancel", 52, "wj", "流动人口婚育证明已取消，改为信息核查",
            [("青禾市人民政府关于取消一批证明事项的通知", "青政发〔2017〕31号")],
            "2017-10-16", "2017-10-18", "2017-10-27", "2017-10-30",
            supervision="通过全员人口信息系统核查流动人口婚育情况，实行告知承诺制并开展事后抽查"),
        # DA-03 on the name: only the address was requested
        adj("change", 59, "sf", "法律援助窗口整体迁入公共法律服务中心",
            [("青禾市司法局关于公共法律服务中心启用的通知", "青司发〔2017〕29号")],
            "2017-11-01", "2017-11-03", "2017-11-10", "2017-11-13", fields=["address"]),
        # recode: a change naming new_code
        adj("change", 31, "rs", "按全省统一编码规则调整事项编码",
            [("青禾市审改办关于规范公共服务事项编码的通知", "青审改办〔2017〕9号")],
            "2017-11-06", "2017-11-08", "2017-11-15", "2017-11-16", fields=["code"],
            new_code=f"{REGION}-GG-00131"),
        # DA-15: approved, but the new snapshot does not show it
        adj("change", 24, "mz", "优化高龄津贴发放流程，压缩承诺办结时限",
            [("青禾市民政局关于进一步优化高龄津贴发放流程的通知", "青民发〔2017〕77号")],
            "2017-11-20", "2017-11-22", "2017-11-30", "2017-12-01", fields=["promised_limit"]),
    ]
    lst.sort(key=lambda a: (a["filed_on"], a["code"]))
    for k, a in enumerate(lst):
        a["id"] = f"TZ-2017-{31 + k:03d}"
    return lst


# ---------------------------------------------------------------------------------------------
# Second round (2018-03-31): corrections after the review comments on the 2017 H2 audit
# ---------------------------------------------------------------------------------------------
# code suffix -> rule the correction resolves; every correction has an approved request.
CORRECTED = {"00004": "OV-02", "00060": "CF-09", "00062": "TL-01", "00065": "LB-01"}


def round2_items(new):
    it = copy.deepcopy(new)
    by_code(it, 4)["onsite_reason"] = "需核验适龄儿童少年及其监护人身份证件和诊断证明原件"
    by_code(it, 60)["complaint_phone"] = COMPLAINT_PHONE
    c = by_code(it, 62)
    c["promised_limit"] = L(20)
    c["process"] = P(("受理", 1), ("专家评审", 12), ("公示", 5), ("办结", 1))
    by_code(it, 65)["legal_basis"] = [law(DAF, "第十九条")]
    return it


REVIEW_LETTER = ("青禾市编办关于反馈2017年下半年公共服务事项目录审核意见的函", "青编办函〔2018〕3号")


def round2_adjustments():
    lst = [
        adj("change", 4, "edu", "按目录审核意见补充必须现场办理原因说明", [REVIEW_LETTER],
            "2018-01-08", "2018-01-10", "2018-01-17", "2018-01-18", fields=["onsite_reason"]),
        adj("change", 60, "sf", "按目录审核意见将监督投诉电话改为12345政务服务便民热线", [REVIEW_LETTER],
            "2018-01-15", "2018-01-17", "2018-01-24", "2018-01-25", fields=["complaint_phone"]),
        adj("change", 62, "wg", "按目录审核意见将承诺办结时限压缩至法定时限以内，相应调整办理流程", [REVIEW_LETTER],
            "2018-03-01", "2018-03-05", "2018-03-12", "2018-03-13", fields=["promised_limit", "process"]),
        adj("change", 65, "da", "按目录审核意见补充设定依据", [REVIEW_LETTER],
            "2018-03-05", "2018-03-07", "2018-03-14", "2018-03-15", fields=["legal_basis"]),
    ]
    for k, a in enumerate(lst):
        a["id"] = f"TZ-2018-{1 + k:03d}"
    return lst


# ---------------------------------------------------------------------------------------------
# Self-check: a small re-implementation of the rules the demo is meant to exercise
# ---------------------------------------------------------------------------------------------
CATCH_ALL = re.compile(r"^(其他材料|其他相关材料)$|有关部门要求|等材料$|按规定提供")
DOC_NO = re.compile(r"^[^\s〔〕\[\]【】()（）第]+〔\d{4}〕[1-9]\d*号$")
LEVELS = {"法律", "行政法规", "国务院决定", "地方性法规", "部门规章", "地方政府规章", "规范性文件", "其他"}
UNITS = {"工作日", "自然日", "月", "年"}
ITEM_TYPES = {"行政许可", "行政处罚", "行政强制", "行政征收", "行政给付", "行政检查", "行政确认", "行政奖励",
              "行政裁决", "行政备案", "其他行政权力", "公共服务"}
PHONE = re.compile(r"^0\d{2,3}-\d{5,8}$")


def normalise(s):
    s = "".join(chr(ord(c) - 0xFEE0) if 0xFF01 <= ord(c) <= 0xFF5E else c for c in s)
    return re.sub(r"[\s\u3000]+", "", s)


def findings(item):
    f = set()
    applied = item["item_type"] not in NOT_APPLIED
    lb = item.get("legal_basis") or []
    if not lb:
        f.add("LB-01")
    for b in lb:
        assert b.get("level") in LEVELS
        if not b.get("title") or not b.get("article") or (b.get("level") == "规范性文件" and not b.get("doc_no")):
            f.add("LB-02")
        if b.get("doc_no") and not DOC_NO.match(b["doc_no"]):
            f.add("FEE-08")
    if not applied:
        assert not ({"case_type", "channels", "onsite_visits", "materials", "fee"} & item.keys()), item["code"]
        assert item["item_type"] in ITEM_TYPES and item["status"] in {"在用", "暂停", "取消"}
        assert re.fullmatch(r"\d{12}", item["basic_code"]) and item["basic_code"][2:4] == TYPE_TT[item["item_type"]]
        if not uscc_valid(item["department_code"]):
            f.add("CF-03")
        return f
    fe = item["fee"]
    if fe["charged"]:
        if not fe["items"]:
            f.add("FEE-01")
        for fi in fe["items"]:
            if not re.search(r"\d", fi["standard"]):
                f.add("FEE-06")
            for b in fi["basis"]:
                if not DOC_NO.match(b["doc_no"]):
                    f.add("FEE-08")
    else:
        if fe["items"] or item["pay_online"]:
            f.add("FEE-02")
    v = item["onsite_visits"]
    if v > 0 and not item.get("onsite_reason"):
        f.add("OV-02")
    if v > 1:
        f.add("OV-03")
    if item["online_depth"] == 4 and v != 0:
        f.add("OV-05")
    if v == 0 and item["online_depth"] < 3 and "快递申请" not in item["channels"]:
        f.add("OV-04")
    if item["online_depth"] >= 2 and not item.get("online_url"):
        f.add("OV-07")
    names = [normalise(m["name"]) for m in item["materials"]]
    if any(CATCH_ALL.search(n) for n in names):
        f.add("OV-08")
    if len(set(names)) != len(names):
        f.add("OV-11")
    for m in item["materials"]:
        assert m["necessity"] in {"必要", "非必要", "容缺后补"}
        if m["kind"] == "申请表格文书" and not (m.get("blank_form") and m.get("sample")):
            f.add("OV-12")
    lg, pr = item["legal_limit"], item["promised_limit"]
    for lim in (lg, pr):
        if lim["value"] is not None and lim.get("unit") not in UNITS:
            f.add("TL-03")
        if lim["value"] is None and not lim.get("note"):
            f.add("TL-07")
    if lg["value"] is not None and lg.get("unit") == pr.get("unit") and pr["value"] > lg["value"]:
        f.add("TL-01")
    if (pr["value"] == 0) != (item["case_type"] == "即办件"):
        f.add("TL-02")
    if sum(p["days"] for p in item["process"]) > pr["value"]:
        f.add("TL-05")
    if not uscc_valid(item["department_code"]):
        f.add("CF-03")
    cp, kp = item.get("consult_phone"), item.get("complaint_phone")
    if not cp or not kp or cp == kp or not PHONE.match(cp) or not PHONE.match(kp):
        f.add("CF-09")
    if "工作日" not in item["office_hours"] or not re.search(r"(窗口|室|服务台)$", item["address"]):
        f.add("CF-10")
    assert item["item_type"] in ITEM_TYPES and item["status"] in {"在用", "暂停", "取消"}
    assert re.fullmatch(r"\d{12}", item["basic_code"]) and item["basic_code"][2:4] == TYPE_TT[item["item_type"]]
    assert item["result"]["name"] and item["result"]["type"] in {"证照", "批文", "其他", "无"}
    return f


# code suffix -> (rule, short description, present in old snapshot)
PLANTED = {
    "00065": ("LB-01", "设定依据为空 / empty legal_basis", True),
    "00044": ("LB-02", "规范性文件依据缺文号 / 规范性文件 basis without doc_no", True),
    "00066": ("LB-02", "一条依据缺条款 / a basis without article (new item)", False),
    "00013": ("FEE-01", "收费但无收费项目 / charged true, no fee items", True),
    "00019": ("FEE-02", "不收费但支持网上支付 / charged false, pay_online true", True),
    "00032": ("FEE-06", "收费标准“按有关规定收取” / unquantified standard", True),
    "00034": ("FEE-08", "文号 浙价费[2016]112号 (square brackets)", True),
    "00009": ("FEE-08", "文号 发改价格〔2003〕02322号 (leading zero)", True),
    "00004": ("OV-02", "到现场1次但无原因说明 / visits 1 without onsite_reason", True),
    "00020": ("OV-03", "到现场2次 / onsite_visits 2", True),
    "00035": ("OV-05", "Ⅳ级全程网办但到现场1次 / depth 4 with visits 1", True),
    "00067": ("OV-08", "兜底材料“其他相关材料” / catch-all material (new item)", False),
    "00054": ("OV-11", "材料重复 “居民身份证”/“居民身份证 ” / duplicate material", True),
    "00062": ("TL-01", "承诺30工作日 > 法定20工作日 / promised > legal", True),
    "00016": ("TL-02", "承诺0日却为承诺件 / promised 0 but 承诺件", True),
    "00049": ("TL-03", "承诺时限单位“天” / unit 天", True),
    "00005": ("TL-05", "流程时限合计12 > 承诺10 / process days 12 > promised 10", True),
    "00057": ("CF-03", "统一社会信用代码校验位错误 / wrong check character", True),
    "00060": ("CF-09", "咨询电话与投诉电话相同 / consult = complaint phone", True),
}


def comparable(item):
    c = copy.deepcopy(item)
    c.pop("code")
    c["materials"] = sorted(json.dumps(m, ensure_ascii=False, sort_keys=True) for m in c.get("materials", []))
    return c


def diff(old, new):
    o = {i["code"]: i for i in old}
    n = {i["code"]: i for i in new}
    changed = {}
    for code in sorted(o.keys() & n.keys()):
        a, b = comparable(o[code]), comparable(n[code])
        fields = sorted(k for k in a.keys() | b.keys() if a.get(k) != b.get(k))
        if fields:
            changed[code] = fields
    gone = sorted(o.keys() - n.keys())
    added = sorted(n.keys() - o.keys())
    recoded = {}
    for g in gone:
        for ad in added:
            if comparable(o[g]) == comparable(n[ad]):
                recoded[g] = ad
    gone = [g for g in gone if g not in recoded]
    added = [a for a in added if a not in recoded.values()]
    return added, gone, changed, recoded


WORKING_SATURDAYS = {dt.date(2017, 9, 30)}
HOLIDAYS = {dt.date(2017, 10, d) for d in range(1, 9)}


def is_working(d):
    return d in WORKING_SATURDAYS or (d.weekday() < 5 and d not in HOLIDAYS)


def working_days_between(a, b):
    """Working days after a up to and including b."""
    n, d = 0, a
    while d < b:
        d += dt.timedelta(days=1)
        n += is_working(d)
    return n


def self_check(old, new, log):
    for snap in (old, new):
        codes = [i["code"] for i in snap]
        assert len(codes) == len(set(codes)), "duplicate codes"
        assert len({i["department"] for i in snap}) >= 8
        assert len(snap) >= 60
    # item rules
    for snap, is_old in ((old, True), (new, False)):
        for item in snap:
            suffix = item["code"][-5:]
            got = findings(item)
            exp = PLANTED.get(suffix)
            want = {exp[0]} if exp and (exp[2] or not is_old) else set()
            assert got == want, (item["code"], item["name"], got, want)
    # diff
    added, gone, changed, recoded = diff(old, new)
    c = lambda n: f"{REGION}-GG-{n:05d}"  # noqa: E731
    assert added == [c(66), c(67), c(68), c(69)], added
    assert gone == [c(52)], gone
    assert recoded == {c(31): c(131)}, recoded
    assert changed == {
        c(23): ["legal_basis"], c(28): ["promised_limit"], c(29): ["materials"], c(33): ["fee"],
        c(42): ["materials"], c(53): ["status"], c(59): ["address", "name"],
    }, changed
    # adjustment log dates
    for a in log:
        days = {k: dt.date.fromisoformat(a[k]) for k in ("trigger_date", "filed_on", "approved_on", "published_on")}
        for k, d in days.items():
            assert is_working(d), (a["id"], k, d)
        assert days["trigger_date"] <= days["filed_on"] < days["approved_on"] <= days["published_on"]
        late_filing = (days["filed_on"] - days["trigger_date"]).days
        late_pub = (days["published_on"] - days["approved_on"]).days
        if a["code"] == c(33):
            assert late_filing == 20 and working_days_between(days["trigger_date"], days["filed_on"]) > 10
        else:
            assert late_filing <= 5
        if a["code"] == c(42):
            assert late_pub == 9 and working_days_between(days["approved_on"], days["published_on"]) > 3
        else:
            assert working_days_between(days["approved_on"], days["published_on"]) <= 1
        assert working_days_between(days["filed_on"], days["approved_on"]) <= 15
        for b in a["basis"]:
            assert DOC_NO.match(b["doc_no"]), b
    return added, gone, changed, recoded


def check_round2(new, r2, log2):
    """The second round changes exactly the corrected items, each resolving its planted defect,
    each with a request for exactly the fields it changed."""
    added, gone, changed, recoded = diff(new, r2)
    assert not (added or gone or recoded), (added, gone, recoded)
    c = lambda n: f"{REGION}-GG-{n:05d}"  # noqa: E731
    assert sorted(changed) == sorted(c(int(k)) for k in CORRECTED), changed
    requested = {a["code"]: sorted(a["fields"]) for a in log2}
    assert requested == changed, (requested, changed)
    for item in r2:
        suffix = item["code"][-5:]
        exp = PLANTED.get(suffix)
        want = {exp[0]} if exp and suffix not in CORRECTED else set()
        assert findings(item) == want, (item["code"], findings(item), want)
    for a in log2:
        days = [dt.date.fromisoformat(a[k]) for k in ("trigger_date", "filed_on", "approved_on", "published_on")]
        assert all(d.weekday() < 5 and not (dt.date(2018, 2, 15) <= d <= dt.date(2018, 2, 21)) for d in days), a
        assert days[0] <= days[1] < days[2] <= days[3] and (days[3] - days[2]).days <= 1, a


# ---------------------------------------------------------------------------------------------

def snapshot(as_of, items):
    return {"format": "catalog-snapshot/1",
            "catalog": {"name": f"{CITY}公共服务事项目录", "region_code": REGION, "as_of": as_of},
            "items": items}


def write(name, doc):
    with open(os.path.join(HERE, name), "w", encoding="utf-8", newline="\n") as fh:
        json.dump(doc, fh, ensure_ascii=False, indent=2)
        fh.write("\n")


def main():
    old = old_items()
    new = new_items(old)
    log = adjustments()
    added, gone, changed, recoded = self_check(old, new, log)
    r2 = round2_items(new)
    log2 = round2_adjustments()
    check_round2(new, r2, log2)
    write(f"{OLD_DATE}.json", snapshot(OLD_DATE, old))
    write(f"{NEW_DATE}.json", snapshot(NEW_DATE, new))
    write("adjustments-2017H2.json", {"format": "adjustment-log/1",
                                      "period": {"from": "2017-07-01", "to": "2017-12-31"},
                                      "adjustments": log})
    write(f"{ROUND2_DATE}.json", snapshot(ROUND2_DATE, r2))
    write("adjustments-2018Q1.json", {"format": "adjustment-log/1",
                                      "period": {"from": "2018-01-01", "to": "2018-03-31"},
                                      "adjustments": log2})
    depts = len({i["department"] for i in new})
    planted_new = sum(1 for i in new if findings(i))
    print(f"qinghe demo: old {len(old)} items, new {len(new)} items, {depts} departments, "
          f"{len(log)} adjustments; diff: {len(added)} added, {len(changed)} changed "
          f"(incl. 1 status 取消), {len(gone)} removed, {len(recoded)} recoded; "
          f"{planted_new} items with planted defects in new snapshot")
    return 0


if __name__ == "__main__":
    sys.exit(main())
