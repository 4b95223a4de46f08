#!/usr/bin/env python3
"""The departments' replies to the 2017 H2 review comments, as a filled review sheet (CSV).

Reads the round-1 review sheet that `catalog-audit audit ... --format csv` writes for the demo and
keeps the rows the departments answered, with 整改结果 (the drop-down's outcome), 整改情况 and
反馈日期 filled in, as a department fills its sheet. The 指纹 column ties each reply to its comment; `tests/walkthrough.rs` checks
that the committed file still matches the comments the tool writes.

    python3 examples/qinghe/make_replies.py target/qinghe/round-1/audit-report.csv \
        examples/qinghe/replies/2018Q1.csv
"""
import csv
import sys

# (code suffix, rule) -> (整改结果, 整改情况, 反馈日期)
REPLIES = {
    ("00004", "OV-02"): ("已整改", "已补充必须现场办理原因说明（调整申请TZ-2018-001）", "2018-01-18"),
    ("00060", "CF-09"): ("已整改", "监督投诉电话改为0579-12345（调整申请TZ-2018-002）", "2018-01-25"),
    ("00062", "TL-01"): ("已整改", "承诺办结时限压缩为20个工作日（调整申请TZ-2018-003）", "2018-03-13"),
    ("00065", "LB-01"): ("已整改", "补充《中华人民共和国档案法》第十九条（调整申请TZ-2018-004）", "2018-03-15"),
    # Claimed, but the item is unchanged in the 2018-03-31 snapshot: the tool flags it (CF-92).
    ("00016", "TL-02"): ("已整改", "", "2018-02-05"),
    ("00049", "TL-03"): ("整改中", "时限单位待省卫生计生委统一口径后修改", "2018-03-20"),
    # Declined with a reason: shown to the reviewer, never taken for a claimed fix.
    ("00020", "OV-03"): (
        "不予采纳（须说明理由）",
        "收养关系当事人须亲自到收养登记机关办理登记（《中国公民收养子女登记办法》第五条），"
        "受理审查后须当面颁证，无法压减至一次",
        "2018-02-28",
    ),
}


def main(src, dst):
    with open(src, encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    header = list(rows[0].keys())
    kept = []
    for row in rows:
        key = (row["事项编码"][-5:], row["规则"])
        if key in REPLIES:
            row["整改结果"], row["整改情况"], row["反馈日期"] = REPLIES[key]
            kept.append(row)
    missing = set(REPLIES) - {(r["事项编码"][-5:], r["规则"]) for r in kept}
    assert not missing, f"no comment for {sorted(missing)} in {src}"
    with open(dst, "w", encoding="utf-8-sig", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=header, lineterminator="\n")
        w.writeheader()
        w.writerows(kept)
    print(f"{dst}: {len(kept)} replies")
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:3]))
