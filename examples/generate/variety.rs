//! Variety mode of the generator (`--variety`): items synthesised from thousands of catalog
//! entries and per-region bodies, so values repeat about as much as in a province's catalog rather
//! than as much as in a catalog built from the demo's few dozen items.
//!
//! The model follows how a province's catalog comes about. The *basic catalog* is province-wide
//! (“四级四同”: the same name, basic code, type and legal basis at every level), so these repeat
//! wherever two regions implement the same item; the *implementation* is written by each county
//! and mostly does not repeat: materials, acceptance conditions (`受理条件`), time limits, process,
//! address, phones, office hours, FAQ.
//!
//! - **Catalog entries.** Each department of the demo × item type present among the clean demo
//!   items has subject matters (20–40 a department) × actions (8–16 an item type): basic items
//!   such as 随迁子女登记 or 残疾人托养补贴申领, each with a 12-digit basic code whose 3rd–4th
//!   digits match its type. A fifth of them also have 1–3 handling variants (`…（变更）`). The
//!   clean demo item of the same department and type that an entry is built on (its *skeleton*)
//!   gives the shape the rules judge: channels, visits, online depth, power source, whether a
//!   statutory limit exists, whether a fee is charged. About 7,000 basic items and 9,900 entries
//!   (`templates` in `planted.json`).
//! - **Which entries a region implements.** The first 1,000 entries (after a seeded shuffle) are
//!   *core*: 60 % of a region's items come from them, the rest from the long tail; additions come
//!   from entries the region does not have yet. Both through a per-region affine permutation, so
//!   names and codes stay unique within a region.
//! - **Province standard or local.** Each implementation element is, with a fixed probability per
//!   element, the province's standard for the entry (drawn from a stream keyed by the entry alone)
//!   or the region's own (keyed by region and entry): legal basis 65 % standard, statutory limit
//!   90 %, process pattern 50 %, materials 30 %, acceptance conditions 40 %, result 100 %,
//!   on-site reason 50 %. Promised limits, FAQ (15 % of items), windows, phone lines, office hours
//!   and complaint lines are always local, and 12 % of the items needing a visit have been moved
//!   to zero visits by their region. A fifth of the public services also serve organisations.
//! - **Pools.** Legal bases: the in-force acts of the built-in law registry that match the
//!   department, plus provincial regulations, rules and normative documents made up from the
//!   department's subjects, with articles 第一条…第一百二十条 (sometimes 款), sometimes the article
//!   text. Materials: identity documents, forms named after the item or its subject, and about 60
//!   documents, each with varied form, copies, necessity, source and, for some proofs, a basis.
//!   Conditions: 2–4 numbered clauses from 30 templates with ages, periods and places filled in.
//!
//! Everything stays clean for the rule pack except what the generator plants (and the demo's
//! systemic findings OV-06, OV-10 and TL-08, at similar rates), so the audit's classification and
//! the planted defects can be checked as in the default mode.

use super::{Region, Rng, Templates};
use catalog_audit::model::{
    DocRef, Faq, Fee, FeeItem, Item, ItemResult, LegalBasis, Limit, Material, Step,
};
use std::collections::HashSet;
use std::sync::Arc;

/// The built-in law registry: its in-force acts are the realistic part of the legal-basis pool.
const LAWS: &str = include_str!("../../rules/registries/laws.json");

/// The fictional province of the generated regions (the demo's city is 青禾市).
const PROVINCE: &str = "青禾省";

/// Entries most regions implement; the rest is the long tail.
const CORE: usize = 1_000;
/// Share of a region's items drawn from the core entries.
const CORE_SHARE: (usize, usize) = (6, 10);

/// Probability that an element is the region's own rather than the province's standard.
const LOCAL_BASIS: f64 = 0.35;
const LOCAL_LEGAL_LIMIT: f64 = 0.10;
const LOCAL_PROCESS: f64 = 0.50;
const LOCAL_MATERIALS: f64 = 0.70;
const LOCAL_CONDITIONS: f64 = 0.60;
const LOCAL_REASON: f64 = 0.50;

// Stream purposes (salts), so each element has its own independent stream.
const S_SHUFFLE: u64 = 0x5A01;
const S_VARIANTS: u64 = 0x5A02;
const S_SKELETON: u64 = 0x5A03;
const S_REGION: u64 = 0x5A04;
const S_DEPT: u64 = 0x5A05;
const S_BASIS: u64 = 0x5A10;
const S_LEGAL: u64 = 0x5A11;
const S_PROCESS: u64 = 0x5A12;
const S_MATERIALS: u64 = 0x5A13;
const S_CONDITIONS: u64 = 0x5A14;
const S_RESULT: u64 = 0x5A15;
const S_REASON: u64 = 0x5A16;
const S_OBJECTS: u64 = 0x5A17;
const S_FEE: u64 = 0x5A18;
const S_PROMISED: u64 = 0x5A19;
const S_REFORM: u64 = 0x5A1A;
const S_COUNTER: u64 = 0x5A1B;
const S_FAQ: u64 = 0x5A1C;
/// Set in the salts of the region's own streams.
const S_LOCAL: u64 = 0x5A00_0000;

/// Subject matters by department (matched on a keyword of the department's name).
const SUBJECTS: &[(&str, &[&str])] = &[
    (
        "教育",
        &[
            "义务教育阶段学生",
            "普通高中学生",
            "中等职业学校学生",
            "学前教育幼儿",
            "随迁子女",
            "残疾儿童少年",
            "家庭经济困难学生",
            "民办学校",
            "民办幼儿园",
            "校外培训机构",
            "教师资格",
            "中小学教师",
            "幼儿园教师",
            "学生学籍",
            "学历认证材料",
            "毕业证书",
            "中小学校车",
            "学校食堂",
            "学生营养改善",
            "寄宿制学生",
            "留守儿童",
            "特殊教育学生",
            "普通高考",
            "高中阶段招生",
            "成人高考",
            "高等教育自学考试",
            "普通话水平测试",
            "教师职称",
            "生源地信用助学贷款",
            "小学新生",
            "初中新生",
            "借读生",
            "休学复学",
            "课后服务",
            "研学实践",
            "体育特长生",
            "艺术特长生",
            "教师培训",
            "学校体育场地开放",
            "学前教育资助",
        ],
    ),
    (
        "公安",
        &[
            "居民身份证",
            "临时居民身份证",
            "户口迁移",
            "户口登记",
            "出生登记",
            "死亡户口注销",
            "居住证",
            "流动人口",
            "姓名变更",
            "民族成分",
            "出生日期更正",
            "户籍证明",
            "无犯罪记录证明",
            "往来港澳通行证",
            "往来台湾通行证",
            "普通护照",
            "机动车登记",
            "机动车驾驶证",
            "电动自行车登记",
            "养犬登记",
            "旅馆业治安",
            "公章刻制",
            "保安员证",
            "大型群众性活动",
            "烟花爆竹燃放",
            "寄递物流实名",
            "互联网上网服务场所安全",
            "道路交通事故",
            "门牌号码",
            "亲属投靠户口",
            "大中专学生户口",
            "退役士兵落户",
            "人才引进落户",
            "分户",
            "立户",
            "户口簿换领",
            "户口项目变更",
            "寄住人口",
            "境外人员住宿",
            "车辆临时号牌",
        ],
    ),
    (
        "民政",
        &[
            "结婚",
            "离婚",
            "婚姻登记证",
            "收养",
            "特困人员",
            "最低生活保障",
            "临时救助",
            "高龄津贴",
            "困难残疾人生活补贴",
            "重度残疾人护理补贴",
            "孤儿基本生活费",
            "事实无人抚养儿童",
            "流浪乞讨人员",
            "养老机构",
            "居家养老服务",
            "老年人优待证",
            "社会团体",
            "民办非企业单位",
            "基金会",
            "慈善组织",
            "地名",
            "殡葬服务",
            "骨灰安放",
            "惠民殡葬",
            "低收入家庭",
            "困境儿童",
            "农村留守老人",
            "社区服务设施",
            "志愿服务记录",
            "婚姻家庭辅导",
            "康复辅助器具",
            "福利企业",
            "社会救助家庭经济状况核对",
            "支出型贫困家庭",
            "百岁老人长寿",
            "养老服务",
            "独居老人",
            "城乡社区组织",
            "村务公开",
            "慈善募捐",
        ],
    ),
    (
        "人力资源",
        &[
            "城乡居民基本养老保险",
            "职工基本养老保险",
            "失业保险金",
            "就业困难人员",
            "失业人员",
            "社会保障卡",
            "职业技能鉴定",
            "专业技术人员职业资格",
            "社会保险参保缴费",
            "基本医疗保险",
            "异地就医",
            "门诊特殊病种",
            "生育保险",
            "工伤保险",
            "劳动能力鉴定",
            "技能提升",
            "创业担保贷款",
            "一次性创业",
            "灵活就业人员社会保险",
            "高校毕业生就业",
            "就业见习",
            "职业培训",
            "流动人员人事档案",
            "劳动合同",
            "劳动人事争议调解",
            "劳务派遣",
            "集体合同",
            "农民工工资",
            "企业年金",
            "退休人员",
            "基本养老金",
            "丧葬补助金",
            "遗属待遇",
            "医疗费用",
            "社会保险关系",
            "大病保险",
            "人才公寓",
            "职称评审",
            "稳岗返还",
            "社会保险待遇资格",
        ],
    ),
    (
        "住房",
        &[
            "公共租赁住房",
            "住房租赁",
            "城镇低收入住房困难家庭",
            "农村困难家庭危房改造",
            "经济适用住房",
            "廉租住房",
            "棚户区改造",
            "房屋征收",
            "商品房预售资金",
            "存量房交易资金",
            "物业服务",
            "住宅专项维修资金",
            "房屋安全鉴定",
            "城镇燃气",
            "建筑业企业",
            "建设工程质量",
            "建设工程竣工",
            "城市道路挖掘",
            "户外广告设施",
            "城市绿地",
            "古树名木",
            "城镇污水排入管网",
            "城市供水",
            "人才住房",
            "住房公积金",
            "房地产经纪机构",
            "白蚁防治",
            "房屋租赁登记",
            "既有住宅加装电梯",
            "历史建筑保护",
        ],
    ),
    (
        "卫生",
        &[
            "出生医学证明",
            "生育服务",
            "计划生育家庭特别扶助",
            "农村部分计划生育家庭奖励扶助",
            "预防接种",
            "独生子女父母光荣证",
            "再生育",
            "母婴保健技术服务",
            "婚前医学检查",
            "孕产妇保健",
            "儿童保健",
            "医师执业",
            "护士执业",
            "乡村医生",
            "医疗机构",
            "诊所",
            "公共场所卫生",
            "生活饮用水卫生",
            "职业健康检查",
            "健康证明",
            "家庭医生签约",
            "老年人健康管理",
            "慢性病管理",
            "严重精神障碍患者",
            "病残儿医学鉴定",
            "计划生育手术并发症",
            "流动人口婚育",
            "托育机构",
            "无偿献血",
            "医疗纠纷调解",
        ],
    ),
    (
        "残疾人",
        &[
            "残疾人证",
            "残疾人辅助器具适配",
            "残疾人职业技能培训",
            "残疾人就业",
            "残疾人自主创业",
            "残疾儿童康复救助",
            "残疾人机动轮椅车燃油",
            "残疾人家庭无障碍改造",
            "残疾人托养",
            "残疾人居家服务",
            "残疾学生助学",
            "残疾人法律救助",
            "盲人按摩",
            "残疾人文化体育",
            "残疾人就业保障金",
            "精神残疾人",
            "智力残疾人",
            "残疾人专用车辆",
            "残疾人阳光家园",
            "残疾人康复服务",
            "残疾人基本住房",
            "残疾人社会保险",
            "残疾人扶贫",
            "残疾人驾驶培训",
            "残疾人信息无障碍",
        ],
    ),
    (
        "司法",
        &[
            "法律援助",
            "人民调解",
            "公证",
            "司法鉴定",
            "律师执业",
            "基层法律服务",
            "社区矫正",
            "安置帮教",
            "法治宣传",
            "法律咨询",
            "人民陪审员",
            "人民监督员",
            "公证员执业",
            "律师事务所",
            "法律顾问",
            "刑满释放人员",
            "村居法律顾问",
            "矛盾纠纷",
            "行政复议",
            "法律职业资格",
        ],
    ),
    (
        "文化",
        &[
            "公共图书馆读者证",
            "非物质文化遗产代表性传承人",
            "文化馆公益艺术培训",
            "公共图书馆数字资源",
            "博物馆参观",
            "美术馆展览",
            "文物保护单位",
            "文物修缮",
            "营业性演出",
            "娱乐场所",
            "互联网上网服务营业场所",
            "出版物零售",
            "印刷企业",
            "广播电视设施",
            "有线电视",
            "卫星电视地面接收设施",
            "农家书屋",
            "农村文化礼堂",
            "送戏下乡",
            "群众文化团队",
            "公共体育场馆",
            "全民健身",
            "社会体育指导员",
            "体育赛事",
            "农村电影放映",
            "古籍保护",
            "社会艺术水平考级",
            "文化志愿者",
            "旅游景区",
            "导游",
        ],
    ),
    (
        "档案",
        &[
            "档案查阅",
            "开放档案目录",
            "婚姻档案",
            "知青档案",
            "土地档案",
            "房产档案",
            "学籍档案",
            "退伍军人档案",
            "干部人事档案",
            "企业改制档案",
            "档案寄存",
            "档案征集",
            "档案鉴定",
            "档案证明",
            "档案复制",
            "家庭档案",
            "档案展览",
            "电子档案",
            "民生档案",
            "档案数字化",
        ],
    ),
];

/// Actions by item type; a basic item's name is subject + action.
const ACTIONS: &[(&str, &[&str])] = &[
    (
        "公共服务",
        &[
            "办理",
            "申请",
            "登记",
            "信息查询",
            "证明开具",
            "信息变更",
            "预约服务",
            "咨询服务",
            "资格审核",
            "信息更正",
            "服务申请",
            "材料补正",
            "便民服务",
            "证件补办",
            "业务办理",
            "网上申报",
        ],
    ),
    (
        "行政给付",
        &[
            "补贴申领",
            "补助发放",
            "待遇申领",
            "救助金申请",
            "津贴发放",
            "资金申请",
            "生活费发放",
            "奖励金申领",
            "保障金给付",
            "补助资格审核",
        ],
    ),
    (
        "行政确认",
        &[
            "认定",
            "资格确认",
            "等级评定",
            "身份确认",
            "条件核定",
            "资格认定",
            "情况确认",
            "信息核定",
        ],
    ),
];

/// Qualifiers of handling variants (业务办理项).
const VARIANTS: &[&str] = &[
    "新办",
    "变更",
    "延续",
    "补办",
    "注销",
    "换发",
    "首次申请",
    "年度审核",
    "遗失补领",
    "信息更正",
    "个人申请",
    "单位申请",
    "迁入",
    "迁出",
    "恢复",
];

/// Identity documents of a natural person (kind 证件证书证明, never deferred).
const ID_DOCS: &[&str] = &[
    "居民身份证",
    "申请人居民身份证",
    "申请人有效身份证件",
    "居民身份证或其他有效身份证件",
    "申请人身份证明",
    "身份证原件",
];
const HOUSEHOLD_DOCS: &[&str] = &["居民户口簿", "户口簿", "申请人户口簿", "家庭户口簿"];
const ORG_DOCS: &[&str] = &[
    "营业执照",
    "统一社会信用代码证书",
    "法定代表人身份证明",
    "单位介绍信",
];
/// Form names after the subject.
const FORM_NOUNS: &[&str] = &["申请表", "申请书", "登记表", "审批表", "申报表", "信息表"];

/// Documents: name, kind, may be deferred (容缺后补).
const DOCS: &[(&str, &str, bool)] = &[
    ("近期一寸免冠彩色照片", "其他", true),
    ("近期二寸免冠彩色照片", "其他", true),
    ("授权委托书", "申请表格文书", true),
    ("代理人居民身份证", "证件证书证明", false),
    ("结婚证", "证件证书证明", true),
    ("离婚证或离婚判决书", "证件证书证明", true),
    ("房屋租赁合同", "其他", true),
    ("不动产权证书", "证件证书证明", true),
    ("房屋所有权证", "证件证书证明", true),
    ("劳动合同", "其他", true),
    ("医疗诊断证明", "证件证书证明", true),
    ("县级以上医院出具的诊断证明", "证件证书证明", true),
    ("银行账户信息", "其他", true),
    ("银行卡复印件", "其他", true),
    ("学历证书", "证件证书证明", true),
    ("收入证明", "证件证书证明", true),
    ("家庭经济状况核对授权书", "申请表格文书", true),
    ("家庭成员收入情况声明", "申请表格文书", true),
    ("个人承诺书", "申请表格文书", true),
    ("残疾人证", "证件证书证明", true),
    ("出生医学证明", "证件证书证明", true),
    ("死亡医学证明", "证件证书证明", true),
    ("火化证明", "证件证书证明", true),
    ("亲属关系证明", "证件证书证明", true),
    ("监护关系证明", "证件证书证明", true),
    ("在校学生证明", "证件证书证明", true),
    ("毕业证书", "证件证书证明", true),
    ("学生证", "证件证书证明", true),
    ("社会保障卡", "证件证书证明", true),
    ("就业创业证", "证件证书证明", true),
    ("解除劳动合同证明", "证件证书证明", true),
    ("医疗费用发票", "其他", true),
    ("费用结算清单", "其他", true),
    ("住院病历", "其他", true),
    ("体检报告", "其他", true),
    ("职业资格证书", "证件证书证明", true),
    ("专业技术职务任职资格证书", "证件证书证明", true),
    ("工作证明", "证件证书证明", true),
    ("居住证", "证件证书证明", true),
    ("房屋产权或租赁证明", "证件证书证明", true),
    ("村（居）民委员会出具的情况证明", "证件证书证明", true),
    ("工作单位出具的情况说明", "其他", true),
    ("现场照片", "其他", true),
    ("房屋平面示意图", "其他", true),
    ("安全评估报告", "其他", true),
    ("检验检测报告", "其他", true),
    ("培训合格证明", "证件证书证明", true),
    ("考试成绩通知单", "其他", true),
    ("原发证件", "证件证书证明", true),
    ("遗失声明", "其他", true),
    ("更正事项的原始凭证", "其他", true),
    ("独生子女证", "证件证书证明", true),
    ("退役证", "证件证书证明", true),
    ("护照或其他国际旅行证件", "证件证书证明", false),
    ("境外居住证明", "证件证书证明", true),
    ("公证书", "证件证书证明", true),
    ("缴费凭证", "其他", true),
    ("存档人员登记表", "申请表格文书", false),
    ("审核意见表", "申请表格文书", true),
    ("告知承诺书", "申请表格文书", true),
];
/// Subject documents: `{subject}…`.
const SUBJECT_DOCS: &[(&str, &str)] = &[
    ("相关证明", "证件证书证明"),
    ("情况说明", "其他"),
    ("协议书", "其他"),
    ("审核表", "申请表格文书"),
    ("资格证明", "证件证书证明"),
    ("认定材料", "其他"),
    ("备案回执", "其他"),
    ("核查意见", "其他"),
];

/// Reasons for an on-site visit (never citing an act, like the demo's).
const REASONS: &[&str] = &[
    "需核验{id}原件",
    "需本人现场签字确认",
    "需现场采集人像信息",
    "需现场采集人像和指纹信息",
    "需当面核实申请人身份",
    "需申请人本人到场确认申请意愿",
    "需现场查验{doc}原件",
    "需现场领取{result}",
    "需入户调查核实家庭情况",
    "需现场评估申请人实际状况",
    "需本人到场签署承诺书",
    "需现场核对{doc}与登记信息是否一致",
    "需当场告知权利义务并签字",
    "需现场查勘",
    "需本人到场进行面谈",
    "需现场进行能力评估",
];
const ID_SHORT: &[&str] = &["身份证件", "居民身份证", "户口簿", "身份证明"];

/// Condition clauses of 受理条件.
const CONDITIONS: &[&str] = &[
    "申请人具有{region}户籍或持有{region}居住证",
    "申请人年满{age}周岁",
    "申请人年满{age}周岁且具有完全民事行为能力",
    "在{region}连续居住满{months}个月",
    "在{region}连续缴纳社会保险满{months}个月",
    "家庭人均月收入低于{region}上年度最低生活保障标准的{times}倍",
    "家庭财产状况符合{region}规定的标准",
    "申请材料齐全、符合法定形式",
    "申请事项属于本机关职责范围",
    "申请人未被列入严重失信主体名单",
    "近{months}个月内未享受同类{subject}待遇",
    "符合{subject}相关规定的条件",
    "属于{subject}服务对象",
    "申请人本人或其法定监护人提出申请",
    "委托他人办理的，受托人持有授权委托书",
    "具有与{subject}相适应的场所和设施",
    "有{count}名以上具备相应资格的工作人员",
    "已按规定完成{subject}相关登记",
    "原证件已过有效期或者损毁、遗失",
    "登记信息确有错误且有原始凭证证明",
    "未在其他地区重复申请",
    "经{region}相关部门核实情况属实",
    "申请人同意授权核对家庭经济状况",
    "所在村（社区）已出具意见",
    "在法定期限内提出申请",
    "符合国家和省有关{subject}的政策规定",
    "具有{region}范围内合法稳定住所",
    "近{years}年内无违法违规记录",
    "已参加{subject}相关培训并考核合格",
    "其他法律法规规定的条件已经具备",
];

/// Service centres of a region.
const CENTRES: &[&str] = &[
    "行政服务中心",
    "市民服务中心",
    "政务服务中心",
    "便民服务中心",
    "公共服务中心",
    "行政审批服务中心",
];
const ROADS: &[&str] = &[
    "人民", "解放", "中山", "建设", "文化", "新华", "和平", "胜利", "迎宾", "环城", "府前", "江滨",
    "湖滨", "青年", "工业", "学院", "振兴", "兴业",
];

/// Parts of office hours.
const MORNING: &[&str] = &["8:00", "8:30", "9:00"];
const NOON: &[&str] = &["11:30", "12:00"];
const AFTERNOON: &[&str] = &["13:00", "13:30", "14:00", "14:30"];
const EVENING: &[&str] = &["17:00", "17:30", "18:00"];
const HOURS_NOTE: &[&str] = &[
    "（法定节假日除外）",
    "（国家法定节假日除外）",
    "，法定节假日休息",
    "（周六上午延时服务）",
    "（夏令时下午延后半小时）",
    "",
];

/// Result nouns by item type: `{subject}…` (type 证照 when the name ends like a certificate).
const RESULTS: &[(&str, &[&str])] = &[
    (
        "公共服务",
        &[
            "办理回执",
            "证明",
            "登记证",
            "服务卡",
            "办理结果告知书",
            "查询结果",
            "登记回执",
            "受理通知书",
        ],
    ),
    (
        "行政给付",
        &[
            "发放",
            "核定通知",
            "资金发放",
            "待遇核定结果",
            "审核结果通知",
        ],
    ),
    (
        "行政确认",
        &[
            "认定结果",
            "认定决定书",
            "资格证书",
            "确认通知书",
            "评定结果",
        ],
    ),
];

/// Fee units for local fees.
const FEE_UNITS: &[&str] = &["每证", "每件", "每人次", "每本", "每次"];

/// FAQ questions: `{name}` is the item name.
const QUESTIONS: &[&str] = &[
    "{name}需要本人到场吗？",
    "{name}办理需要多长时间？",
    "{name}是否收费？",
    "在哪里可以查询{name}的办理进度？",
    "{name}的申请材料可以网上提交吗？",
    "{name}可以在户籍地以外办理吗？",
    "{name}的结果如何领取？",
    "材料不齐全时能否先受理{name}？",
];

/// A group of catalog entries: one department and one item type of the clean demo items.
struct Group {
    dept: usize,
    item_type: String,
    skeletons: Vec<usize>,
    subjects: &'static [&'static str],
    actions: &'static [&'static str],
    /// The 3rd–4th digits of the group's basic codes.
    type_code: String,
}

/// One catalog entry: a basic item or one of its handling variants.
struct Entry {
    group: usize,
    skeleton: usize,
    /// The basic item (its handling variants share it).
    basic: usize,
    subject: &'static str,
    name: Box<str>,
    basic_code: Box<str>,
}

/// A law of the pool.
#[derive(Clone)]
struct Law {
    title: String,
    level: &'static str,
    doc_no: Option<String>,
}

/// The province-wide catalog and the pools of variety mode.
pub struct Variety {
    seed: u64,
    groups: Vec<Group>,
    entries: Vec<Entry>,
    core: usize,
    /// Department names without the city, as in [`Templates`].
    departments: Vec<String>,
    /// Laws by department.
    laws: Vec<Vec<Law>>,
}

/// One department's counter in one region.
struct Counter {
    /// Up to the building (`…政务服务中心`), the floor apart.
    address: String,
    floor: usize,
    window_base: usize,
    windows: usize,
    /// 0: windows; 1: rooms.
    rooms: bool,
    phones: Vec<String>,
    hours: String,
    complaint: String,
}

/// What a region's items share: its counters.
pub struct Local {
    region: usize,
    counters: Vec<Counter>,
}

/// Chinese numerals up to 999 (第一百二十条).
fn cn(n: usize) -> String {
    const D: [&str; 10] = ["零", "一", "二", "三", "四", "五", "六", "七", "八", "九"];
    let unit = |u: usize| if u == 0 { "" } else { D[u] };
    match n {
        0..=9 => D[n].to_string(),
        10..=19 => format!("十{}", unit(n % 10)),
        20..=99 => format!("{}十{}", D[n / 10], unit(n % 10)),
        100..=999 => {
            let rest = n % 100;
            match rest {
                0 => format!("{}百", D[n / 100]),
                1..=9 => format!("{}百零{}", D[n / 100], D[rest]),
                _ => format!("{}百{}十{}", D[n / 100], D[rest / 10], unit(rest % 10)),
            }
        }
        _ => n.to_string(),
    }
}

fn pick<'a, T>(rng: &mut Rng, list: &'a [T]) -> &'a T {
    &list[rng.below(list.len())]
}

fn one(rng: &mut Rng, list: &[&'static str]) -> &'static str {
    list[rng.below(list.len())]
}

fn gcd(a: usize, b: usize) -> usize {
    if b == 0 { a } else { gcd(b, a % b) }
}

/// A bijection of `0..n` for one region and range: `x → (a·x + c) mod n`.
fn affine(seed: u64, region: usize, salt: u64, n: usize, x: usize) -> usize {
    let mut rng = Rng::stream(seed, region as u64, S_REGION ^ salt);
    let mut a = 1 + rng.below(n.max(2) - 1);
    while gcd(a, n) != 1 {
        a = 1 + rng.below(n.max(2) - 1);
    }
    let c = rng.below(n.max(1));
    ((a as u128 * x as u128 + c as u128) % n as u128) as usize
}

/// Keywords that tie an act of the registry to a department.
const LAW_KEYWORDS: &[(&str, &[&str])] = &[
    ("教育", &["教育", "教师", "学"]),
    (
        "公安",
        &["身份证", "户口", "居住证", "出境", "护照", "道路交通"],
    ),
    (
        "民政",
        &[
            "婚姻",
            "收养",
            "救助",
            "最低生活",
            "五保",
            "流浪",
            "孤儿",
            "特困",
            "老年",
            "慈善",
            "社会团体",
            "民办非企业",
            "基金会",
        ],
    ),
    (
        "人力资源",
        &[
            "社会保险",
            "失业",
            "工伤",
            "劳动",
            "就业",
            "养老",
            "医疗保障",
        ],
    ),
    (
        "住房",
        &[
            "土地",
            "城乡规划",
            "建筑",
            "房",
            "住房",
            "公积金",
            "廉租",
            "公共租赁",
        ],
    ),
    (
        "卫生",
        &[
            "人口与计划生育",
            "计划生育",
            "母婴",
            "疫苗",
            "医",
            "卫生",
            "食品",
        ],
    ),
    ("残疾人", &["残疾"]),
    ("司法", &["调解", "法律援助"]),
    ("文化", &["文化", "非物质", "图书馆"]),
    ("档案", &["档案"]),
];

/// Normative-document issuers by department.
const ISSUERS: &[(&str, &str)] = &[
    ("教育", "青教发"),
    ("公安", "青公通"),
    ("民政", "青民发"),
    ("人力资源", "青人社发"),
    ("住房", "青建发"),
    ("卫生", "青卫计发"),
    ("残疾人", "青残联发"),
    ("司法", "青司发"),
    ("文化", "青文广发"),
    ("档案", "青档发"),
];

fn keyed<'a, T: ?Sized>(table: &'a [(&str, &'a T)], department: &str) -> Option<&'a T> {
    table
        .iter()
        .find(|(k, _)| department.contains(k))
        .map(|(_, v)| *v)
}

impl Variety {
    /// Builds the province-wide catalog from the clean demo items.
    pub fn new(t: &Templates, seed: u64) -> Variety {
        // Groups: department × item type of the clean items.
        let mut groups: Vec<Group> = Vec::new();
        for (i, it) in t.items.iter().enumerate() {
            let dept = t.dept[i];
            let ty = it.item_type.to_string();
            match groups
                .iter_mut()
                .find(|g| g.dept == dept && g.item_type == ty)
            {
                Some(g) => g.skeletons.push(i),
                None => {
                    let name = &t.departments[dept];
                    let type_code = it
                        .basic_code
                        .as_deref()
                        .and_then(|b| b.get(2..4))
                        .unwrap_or("99")
                        .to_string();
                    groups.push(Group {
                        dept,
                        item_type: ty.clone(),
                        skeletons: vec![i],
                        subjects: keyed(SUBJECTS, name).unwrap_or(&["公共服务", "便民服务"]),
                        actions: keyed(ACTIONS, &ty).unwrap_or(ACTIONS[0].1),
                        type_code,
                    });
                }
            }
        }
        // Basic items: subject × action per group, names unique across groups.
        let mut names: HashSet<String> = HashSet::new();
        let mut basics: Vec<(usize, &'static str, &'static str)> = Vec::new();
        for (g, group) in groups.iter().enumerate() {
            for &s in group.subjects {
                for &a in group.actions {
                    let name = format!("{s}{a}");
                    if names.insert(name) {
                        basics.push((g, s, a));
                    }
                }
            }
        }
        let mut rng = Rng::stream(seed, 0, S_SHUFFLE);
        for i in (1..basics.len()).rev() {
            basics.swap(i, rng.below(i + 1));
        }
        let mut entries = Vec::new();
        for (b, &(g, subject, action)) in basics.iter().enumerate() {
            let group = &groups[g];
            let mut rng = Rng::stream(seed, b as u64, S_SKELETON);
            let skeleton = *pick(&mut rng, &group.skeletons);
            let base = format!("{subject}{action}");
            let code = |q: usize| {
                format!(
                    "{:02}{}{:02}{:03}{:03}",
                    10 + (b / 1000) % 90,
                    group.type_code,
                    (group.dept + 1) % 100,
                    b % 1000,
                    q
                )
            };
            entries.push(Entry {
                group: g,
                skeleton,
                basic: b,
                subject,
                name: base.clone().into(),
                basic_code: code(0).into(),
            });
            let mut rng = Rng::stream(seed, b as u64, S_VARIANTS);
            if rng.chance(0.2) {
                let n = 1 + rng.below(3);
                let first = rng.below(VARIANTS.len());
                for q in 0..n {
                    entries.push(Entry {
                        group: g,
                        skeleton,
                        basic: b,
                        subject,
                        name: format!("{base}（{}）", VARIANTS[(first + q) % VARIANTS.len()])
                            .into(),
                        basic_code: code(q + 1).into(),
                    });
                }
            }
        }
        let laws = t
            .departments
            .iter()
            .map(|d| law_pool(d))
            .collect::<Vec<_>>();
        Variety {
            seed,
            core: CORE.min(entries.len() / 4),
            groups,
            entries,
            departments: t.departments.clone(),
            laws,
        }
    }

    /// Catalog entries (basic items and handling variants).
    pub fn entries(&self) -> usize {
        self.entries.len()
    }

    /// Items of a region at most (room is left for additions by the caller).
    pub fn tail(&self) -> usize {
        self.entries.len() - self.core
    }

    fn core_items(&self, per_region: usize) -> usize {
        (per_region * CORE_SHARE.0 / CORE_SHARE.1).min(self.core)
    }

    /// Entries a region with `per_region` items can draw from.
    pub fn capacity(&self, per_region: usize) -> usize {
        self.core_items(per_region) + self.tail()
    }

    /// The entry of a region's `slot`-th item.
    fn entry_of(&self, region: usize, slot: usize, per_region: usize) -> usize {
        let core = self.core_items(per_region);
        if slot < core {
            affine(self.seed, region, 1, self.core, slot)
        } else {
            self.core + affine(self.seed, region, 2, self.tail(), slot - core)
        }
    }

    /// A region's counters: addresses, windows, phone lines, office hours, complaint lines.
    pub(super) fn local(&self, reg: &Region, region: usize) -> Local {
        let area = reg
            .items
            .iter()
            .find_map(|it| it.complaint_phone.as_deref())
            .and_then(|p| p.split('-').next())
            .unwrap_or("0550")
            .to_string();
        let mut rng = Rng::stream(self.seed, region as u64, S_REGION);
        let centre = format!(
            "{}{}路{}号{}",
            reg.name,
            pick(&mut rng, ROADS),
            1 + rng.below(300),
            pick(&mut rng, CENTRES)
        );
        let hotline = format!("{area}-12345");
        let counters = (0..self.departments.len())
            .map(|d| {
                let mut rng = Rng::stream(self.seed, (region * 64 + d) as u64, S_DEPT);
                let short = &self.departments[d];
                let address = if rng.chance(0.35) {
                    let label = short
                        .trim_end_matches("局")
                        .trim_end_matches("委员会")
                        .trim_end_matches("联合会");
                    format!(
                        "{}{}路{}号{}服务大厅",
                        reg.name,
                        pick(&mut rng, ROADS),
                        1 + rng.below(400),
                        label
                    )
                } else {
                    centre.clone()
                };
                let floor = 1 + rng.below(5);
                let line = |rng: &mut Rng| format!("{area}-8{:07}", rng.below(10_000_000));
                let phones: Vec<String> = (0..1 + rng.below(5)).map(|_| line(&mut rng)).collect();
                let complaint = match line(&mut rng) {
                    own if rng.chance(0.4) && !phones.contains(&own) => own,
                    _ => hotline.clone(),
                };
                let note = *pick(&mut rng, HOURS_NOTE);
                let hours = if rng.chance(0.15) {
                    format!(
                        "周一至周五 {}-{}，{}-{}{note}",
                        pick(&mut rng, MORNING),
                        pick(&mut rng, NOON),
                        pick(&mut rng, AFTERNOON),
                        pick(&mut rng, EVENING)
                    )
                } else {
                    format!(
                        "工作日 上午{}-{}，下午{}-{}{note}",
                        pick(&mut rng, MORNING),
                        pick(&mut rng, NOON),
                        pick(&mut rng, AFTERNOON),
                        pick(&mut rng, EVENING)
                    )
                };
                Counter {
                    address,
                    floor,
                    window_base: 1 + rng.below(40),
                    windows: 1 + rng.below(8),
                    rooms: rng.chance(0.2),
                    phones,
                    hours,
                    complaint,
                }
            })
            .collect();
        Local { region, counters }
    }

    /// The `slot`-th item of a region, under sequence number `seq`.
    pub(super) fn item(
        &self,
        reg: &Region,
        local: &Local,
        per_region: usize,
        slot: usize,
        seq: usize,
    ) -> Item {
        let r = local.region;
        let e = self.entry_of(r, slot, per_region);
        let entry = &self.entries[e];
        let group = &self.groups[entry.group];
        let dept = &self.departments[group.dept];
        let mut it = reg.items[entry.skeleton].clone();
        // Streams: the province's standard for the entry (or its basic item), the region's own.
        let standard = |salt: u64| Rng::stream(self.seed, e as u64, salt);
        let basic = |salt: u64| Rng::stream(self.seed, entry.basic as u64, salt);
        let own = |salt: u64| Rng::stream(self.seed, ((r as u64) << 24) | e as u64, salt | S_LOCAL);
        let choose = |salt: u64, p_local: f64, by_basic: bool| {
            let mut o = own(salt);
            if o.chance(p_local) {
                (o, true)
            } else if by_basic {
                (basic(salt), false)
            } else {
                (standard(salt), false)
            }
        };

        it.name = entry.name.as_ref().into();
        it.basic_code = Some(entry.basic_code.as_ref().into());
        if it.online_url.is_some() {
            it.online_url = Some(
                format!(
                    "https://zwfw.r{}.example/guide/{}",
                    reg.code, entry.basic_code
                )
                .into(),
            );
        }
        it.code = format!("{}-{}-{:05}", reg.code, super::type_tag(&it.item_type), seq).into();
        it.origin = catalog_audit::model::Provenance(None);

        // Service objects: some public services also serve organisations.
        let mut o = basic(S_OBJECTS);
        if group.item_type == "公共服务" && o.chance(0.2) {
            let other = *pick(&mut o, &["企业法人", "社会组织法人", "事业法人"]);
            it.service_objects = Arc::new(vec!["自然人".into(), other.into()]);
        }
        let organisations = it.service_objects.len() > 1;

        // Legal basis (shared by the handling variants of a basic item).
        let (mut rng, local_basis) = choose(S_BASIS, LOCAL_BASIS, true);
        let mut bases = self.bases(&mut basic(S_BASIS), group.dept, entry.subject);
        if local_basis {
            localise_bases(&mut bases, &mut rng, &reg.name, entry.subject, dept);
        }
        it.legal_basis = Arc::new(bases);

        // Time limits.
        let (mut rng, _) = choose(S_LEGAL, LOCAL_LEGAL_LIMIT, true);
        let unit = it
            .promised_limit
            .as_ref()
            .and_then(|p| p.unit.clone())
            .unwrap_or_else(|| "工作日".into());
        let skeleton_legal = it.legal_limit.as_ref().and_then(|l| l.value);
        let legal = match skeleton_legal {
            None => None,
            Some(0) => Some(0),
            Some(_) => Some(*pick(&mut rng, &[5, 7, 10, 15, 20, 20, 30, 30, 45, 60])),
        };
        it.legal_limit = Some(Arc::new(match legal {
            None => Limit {
                value: None,
                note: Some(
                    (*pick(
                        &mut rng,
                        &[
                            "法律法规未规定办结时限，按承诺时限办结",
                            "法律法规未规定办结时限",
                            "法律、法规未作规定，按承诺时限执行",
                            "无法定办结时限，按本机关承诺时限办结",
                        ],
                    ))
                    .into(),
                ),
                ..Default::default()
            },
            Some(v) => Limit {
                value: Some(v),
                unit: Some(unit.clone()),
                ..Default::default()
            },
        }));
        let mut rng = own(S_PROMISED);
        let skeleton_promised = it.promised_limit.as_ref().and_then(|p| p.value);
        let promised = match (legal, skeleton_promised) {
            (Some(0), _) => 0,
            (_, Some(0)) if !rng.chance(0.15) => 0,
            (_, Some(0)) => 1 + rng.below(3),
            (Some(l), _) if rng.chance(0.7) => 1 + rng.below((l / 2).max(1) as usize),
            (Some(l), _) => (l / 2 + 1) as usize + rng.below((l - l / 2) as usize),
            (None, _) => *pick(&mut rng, &[1, 2, 3, 5, 5, 7, 10, 10, 15, 20, 30]),
        } as i64;
        let promised = legal.map_or(promised, |l| promised.min(l));
        it.promised_limit = Some(Arc::new(Limit {
            value: Some(promised),
            unit: Some(unit),
            ..Default::default()
        }));
        it.case_type = Some(
            if promised == 0 {
                "即办件"
            } else {
                "承诺件"
            }
            .into(),
        );
        let (mut rng, _) = choose(S_PROCESS, LOCAL_PROCESS, false);
        it.process = Arc::new(process(&mut rng, promised));

        // Result (province standard).
        let result = result_name(&mut standard(S_RESULT), group, entry.subject);
        it.result = Some(Arc::new(ItemResult {
            kind: Some(result_type(&result).into()),
            sample: Some(format!("{result}（样本）")),
            name: Some(result),
            ..Default::default()
        }));

        // Visits: some regions have moved an item to zero visits.
        let mut rng = own(S_REFORM);
        if it.onsite_visits == Some(1) && it.online_url.is_some() && rng.chance(0.12) {
            it.onsite_visits = Some(0);
            it.onsite_reason = None;
            it.online_depth = Some(4);
        }
        if it.onsite_visits.is_some_and(|v| v > 0) {
            let (mut rng, _) = choose(S_REASON, LOCAL_REASON, false);
            let reason = pick(&mut rng, REASONS)
                .replace("{id}", one(&mut rng, ID_SHORT))
                .replace("{doc}", pick(&mut rng, DOCS).0)
                .replace(
                    "{result}",
                    it.result
                        .as_ref()
                        .and_then(|r| r.name.as_deref())
                        .unwrap_or("办理结果"),
                );
            it.onsite_reason = Some(reason.into());
        }

        // Materials.
        let (mut rng, _) = choose(S_MATERIALS, LOCAL_MATERIALS, false);
        it.materials = Arc::new(self.materials(&mut rng, entry, group.dept, organisations));

        // Fee: charged items keep the national fee or charge a local one.
        if let Some(fee) = it.fee.as_ref().filter(|f| f.charged == Some(true)) {
            let mut rng = own(S_FEE);
            if rng.chance(0.5) {
                let amount = 5 * (1 + rng.below(40));
                // A local fee: named so that it is no national catalogue item (whose standard and
                // basis FEE-05 and FEE-10 would hold it to).
                let name = format!("{}地方证照工本费", entry.subject);
                it.fee = Some(Arc::new(Fee {
                    charged: Some(true),
                    items: vec![FeeItem {
                        name,
                        standard: Some(format!("{}{amount}元", pick(&mut rng, FEE_UNITS))),
                        basis: vec![DocRef {
                            title: format!(
                                "{PROVINCE}物价局 {PROVINCE}财政厅关于{}收费标准的通知",
                                entry.subject
                            ),
                            doc_no: Some(format!(
                                "青价费〔{}〕{}号",
                                2010 + rng.below(7),
                                1 + rng.below(150)
                            )),
                            ..Default::default()
                        }],
                        reducible: Some(false),
                        ..Default::default()
                    }],
                    ..Default::default()
                }));
            } else {
                it.fee = Some(fee.clone());
            }
        }

        // Counter: address, hours, phones.
        let counter = &local.counters[group.dept];
        let mut rng = own(S_COUNTER);
        let window = counter.window_base + rng.below(counter.windows);
        it.address = Some(
            if counter.rooms {
                format!("{}{}{:02}室", counter.address, counter.floor, window)
            } else {
                format!("{}{}楼{window}号窗口", counter.address, cn(counter.floor))
            }
            .into(),
        );
        it.office_hours = Some(counter.hours.as_str().into());
        let phone = pick(&mut rng, &counter.phones).clone();
        it.complaint_phone = Some(counter.complaint.as_str().into());
        it.consult_phone = Some(phone.into());

        // Acceptance conditions (an export's extra column).
        let (mut rng, _) = choose(S_CONDITIONS, LOCAL_CONDITIONS, false);
        let n = 2 + rng.below(3);
        let first = rng.below(CONDITIONS.len());
        let clauses: Vec<String> = (0..n)
            .map(|k| {
                let c = CONDITIONS[(first + k * 7) % CONDITIONS.len()];
                format!(
                    "（{}）{}",
                    cn(k + 1),
                    c.replace("{region}", &reg.name)
                        .replace("{subject}", entry.subject)
                        .replace("{age}", &(16 + rng.below(50)).to_string())
                        .replace("{months}", &(3 + rng.below(34)).to_string())
                        .replace("{years}", &(1 + rng.below(5)).to_string())
                        .replace("{count}", &(2 + rng.below(8)).to_string())
                        .replace("{times}", &format!("{}", 1.0 + rng.below(6) as f64 * 0.5))
                )
            })
            .collect();
        it.extra.insert(
            "受理条件".into(),
            serde_json::Value::String(format!("{}。", clauses.join("；"))),
        );

        // FAQ (15 % of items, the region's own).
        let mut rng = own(S_FAQ);
        if rng.chance(0.15) {
            let n = 1 + rng.below(3);
            let first = rng.below(QUESTIONS.len());
            let faq = (0..n)
                .map(|k| Faq {
                    question: QUESTIONS[(first + k) % QUESTIONS.len()].replace("{name}", &it.name),
                    answer: Some(answer(&mut rng, &it, &reg.name)),
                    ..Default::default()
                })
                .collect();
            it.faq = Arc::new(faq);
        }
        it
    }

    /// The province's legal basis of a basic item: a law of the department's pool and sometimes a
    /// provincial regulation or document.
    fn bases(&self, rng: &mut Rng, dept: usize, subject: &str) -> Vec<LegalBasis> {
        let pool = &self.laws[dept];
        let mut out = Vec::new();
        let first = if !pool.is_empty() && rng.chance(0.7) {
            pick(rng, pool).clone()
        } else {
            made_up_law(rng, &self.departments[dept], subject)
        };
        out.push(basis(rng, first, subject, &self.departments[dept]));
        if rng.chance(0.45) {
            let second = made_up_law(rng, &self.departments[dept], subject);
            if second.title != out[0].title {
                out.push(basis(rng, second, subject, &self.departments[dept]));
            }
        }
        out
    }

    fn materials(
        &self,
        rng: &mut Rng,
        entry: &Entry,
        dept: usize,
        organisations: bool,
    ) -> Vec<Material> {
        let mut out: Vec<Material> = Vec::new();
        let mut add = |m: Material| {
            if !out.iter().any(|x| x.name == m.name) {
                out.push(m);
            }
        };
        let doc = |rng: &mut Rng, name: String, kind: &str, deferrable: bool| {
            let deferrable = deferrable && !core_material(&name);
            let form = *pick(
                rng,
                &["纸质", "纸质", "纸质", "纸质/电子", "纸质/电子", "电子"],
            );
            let necessity = match rng.below(10) {
                0 => "非必要",
                1 if deferrable => "容缺后补",
                _ => "必要",
            };
            let source = match (necessity, rng.below(20)) {
                ("非必要", 0..=4) => "政府部门核发",
                (_, 0) => "中介机构出具",
                (_, 1) => "其他",
                _ => "申请人自备",
            };
            let form_kind = kind == "申请表格文书";
            let copies = if form == "电子" && rng.chance(0.5) {
                None
            } else {
                Some(1 + (rng.below(10) / 7) as i64)
            };
            Material {
                name,
                form: Some(form.into()),
                kind: Some(kind.into()),
                necessity: Some(necessity.into()),
                source: Some(source.into()),
                copies,
                blank_form: form_kind.then_some(true),
                sample: form_kind.then_some(true),
                ..Default::default()
            }
        };
        // Identity.
        let id = *pick(rng, ID_DOCS);
        add(doc(rng, id.into(), "证件证书证明", false));
        if rng.chance(0.35) {
            let h = *pick(rng, HOUSEHOLD_DOCS);
            add(doc(rng, h.into(), "证件证书证明", false));
        }
        if organisations && rng.chance(0.5) {
            let o = *pick(rng, ORG_DOCS);
            add(doc(rng, o.into(), "证件证书证明", false));
        }
        // The form.
        let form = if rng.chance(0.5) {
            format!(
                "{}申请表",
                entry.name.trim_end_matches('）').replace('（', "")
            )
        } else {
            format!("{}{}", entry.subject, pick(rng, FORM_NOUNS))
        };
        add(doc(rng, form, "申请表格文书", false));
        // Documents of the subject and others.
        if rng.chance(0.35) {
            let (noun, kind) = *pick(rng, SUBJECT_DOCS);
            add(doc(rng, format!("{}{noun}", entry.subject), kind, true));
        }
        for _ in 0..rng.below(4) {
            let (name, kind, deferrable) = *pick(rng, DOCS);
            add(doc(rng, name.into(), kind, deferrable));
        }
        // Some proofs name their basis.
        let pool = &self.laws[dept];
        for m in &mut out {
            if m.name.ends_with("证明") && rng.chance(0.5) {
                let law = if pool.is_empty() {
                    made_up_law(rng, &self.departments[dept], entry.subject).title
                } else {
                    pick(rng, pool).title.clone()
                };
                m.basis = Some(format!("《{law}》第{}条", cn(1 + rng.below(80))));
            }
        }
        out
    }
}

/// The in-force acts of the registry for a department (no end date, effective before 2017-07).
fn law_pool(department: &str) -> Vec<Law> {
    let keys = keyed(LAW_KEYWORDS, department).unwrap_or(&[]);
    let registry: serde_json::Value = serde_json::from_str(LAWS).unwrap_or_default();
    let Some(entries) = registry.get("entries").and_then(|e| e.as_array()) else {
        return Vec::new();
    };
    let text = |e: &serde_json::Value, k: &str| e.get(k).and_then(|v| v.as_str()).map(String::from);
    entries
        .iter()
        .filter(|e| {
            e.get("repealed").is_none()
                && e.get("superseded_by").is_none()
                && text(e, "effective").is_none_or(|d| d.as_str() < "2017-07-01")
        })
        .filter_map(|e| {
            let title = text(e, "title")?;
            if !keys.iter().any(|k| title.contains(k)) {
                return None;
            }
            let level = match text(e, "level")?.as_str() {
                "法律" => "法律",
                "行政法规" => "行政法规",
                "部门规章" => "部门规章",
                "规范性文件" => "规范性文件",
                _ => return None,
            };
            // Laws and regulations are cited by title; a normative document needs its number.
            let doc_no = if level == "规范性文件" {
                Some(text(e, "doc_no")?)
            } else {
                None
            };
            Some(Law {
                title,
                level,
                doc_no,
            })
        })
        .collect()
}

/// A provincial regulation, rule or normative document about a subject.
fn made_up_law(rng: &mut Rng, department: &str, subject: &str) -> Law {
    let issuer = keyed(ISSUERS, department).unwrap_or("青政发");
    match rng.below(4) {
        0 => Law {
            title: format!("{PROVINCE}{subject}条例"),
            level: "地方性法规",
            doc_no: None,
        },
        1 => Law {
            title: format!("{PROVINCE}{subject}管理办法"),
            level: "地方政府规章",
            doc_no: Some(format!("{PROVINCE}人民政府令第{}号", 100 + rng.below(250))),
        },
        2 => Law {
            title: format!("{PROVINCE}人民政府办公厅关于进一步做好{subject}工作的通知"),
            level: "规范性文件",
            doc_no: Some(format!(
                "青政办发〔{}〕{}号",
                2008 + rng.below(9),
                1 + rng.below(180)
            )),
        },
        _ => Law {
            title: format!("关于印发{PROVINCE}{subject}实施细则的通知"),
            level: "规范性文件",
            doc_no: Some(format!(
                "{issuer}〔{}〕{}号",
                2008 + rng.below(9),
                1 + rng.below(120)
            )),
        },
    }
}

/// One cited act with its article (sometimes a paragraph, sometimes the text).
fn basis(rng: &mut Rng, law: Law, subject: &str, department: &str) -> LegalBasis {
    let n = 1 + rng.below(120);
    let article = if rng.chance(0.3) {
        format!("第{}条第{}款", cn(n), cn(1 + rng.below(3)))
    } else {
        format!("第{}条", cn(n))
    };
    let text = rng
        .chance(0.25)
        .then(|| article_text(rng, &article, subject, department));
    LegalBasis {
        title: law.title,
        level: Some(law.level.into()),
        doc_no: law.doc_no,
        article: Some(article),
        text,
        ..Default::default()
    }
}

fn article_text(rng: &mut Rng, article: &str, subject: &str, department: &str) -> String {
    let body = match rng.below(5) {
        0 => format!("县级以上人民政府{department}负责本行政区域内的{subject}工作。"),
        1 => format!("符合条件的申请人可以向所在地{department}申请办理{subject}相关事项。"),
        2 => format!("{department}应当自受理申请之日起在规定期限内作出决定，并告知申请人。"),
        3 => format!("办理{subject}相关事项，申请人应当如实提交有关材料，并对其真实性负责。"),
        _ => format!("各级人民政府应当加强对{subject}工作的领导，保障所需经费。"),
    };
    let head = article
        .split('第')
        .nth(1)
        .map_or(String::new(), |a| format!("第{a}"));
    format!("{head}　{body}")
}

/// A region's way of writing the province's basis: another article, a local document, the text.
fn localise_bases(
    bases: &mut Vec<LegalBasis>,
    rng: &mut Rng,
    region: &str,
    subject: &str,
    department: &str,
) {
    match rng.below(4) {
        0 => {
            if let Some(b) = bases.first_mut() {
                b.article = Some(format!("第{}条", cn(1 + rng.below(120))));
                b.text = None;
            }
        }
        1 => {
            let initial = region.chars().next().unwrap_or('青');
            bases.push(LegalBasis {
                title: format!("{region}人民政府关于印发{subject}实施办法的通知"),
                level: Some("规范性文件".into()),
                doc_no: Some(format!(
                    "{initial}政发〔{}〕{}号",
                    2010 + rng.below(7),
                    1 + rng.below(90)
                )),
                article: Some(format!("第{}条", cn(1 + rng.below(30)))),
                ..Default::default()
            });
        }
        2 => {
            for b in bases.iter_mut() {
                if b.text.is_none() {
                    let article = b.article.clone().unwrap_or_default();
                    b.text = Some(article_text(rng, &article, subject, department));
                }
            }
        }
        _ => bases.reverse(),
    }
}

/// The application form and identity documents, which may not be supplied later (as OV-14 reads
/// the name).
fn core_material(name: &str) -> bool {
    const CORE: &[&str] = &[
        "申请表",
        "申请书",
        "申报表",
        "申报书",
        "登记表",
        "登记书",
        "审批表",
        "审批书",
        "身份证",
        "身份证明",
        "户口簿",
        "户口本",
        "护照",
        "通行证",
        "营业执照",
    ];
    CORE.iter().any(|c| name.contains(c))
}

/// Steps whose days fit the promised limit.
fn process(rng: &mut Rng, promised: i64) -> Vec<Step> {
    let step = |name: &str, days: i64| Step {
        step: name.into(),
        days: Some(days as f64),
        ..Default::default()
    };
    if promised == 0 {
        return match rng.below(3) {
            0 => vec![step("受理", 0), step("办结", 0)],
            1 => vec![step("受理", 0), step("审核", 0), step("办结", 0)],
            _ => vec![step("受理", 0), step("核验", 0), step("出件", 0)],
        };
    }
    const MIDDLE: &[&str] = &[
        "审核",
        "审查",
        "初审",
        "复核",
        "核查",
        "调查核实",
        "公示",
        "审批",
        "决定",
        "审定",
    ];
    const END: &[&str] = &["办结", "送达", "发放", "制证", "出证", "办结归档"];
    let middle = 1 + rng.below(3);
    let first = rng.below(MIDDLE.len());
    let mut budget = promised - rng.below((promised / 3 + 1) as usize) as i64;
    let accept = i64::from(budget >= 3);
    let end = i64::from(budget >= 4);
    budget -= accept + end;
    let mut steps = vec![step("受理", accept)];
    for k in 0..middle {
        let share = if k + 1 == middle {
            budget
        } else {
            rng.below(budget.max(0) as usize + 1) as i64
        };
        budget -= share;
        steps.push(step(MIDDLE[(first + k) % MIDDLE.len()], share.max(0)));
    }
    steps.push(step(one(rng, END), end));
    steps
}

fn result_name(rng: &mut Rng, group: &Group, subject: &str) -> String {
    let nouns = keyed(RESULTS, &group.item_type).unwrap_or(RESULTS[0].1);
    format!("{subject}{}", pick(rng, nouns))
}

/// 证照 for certificates, 批文 for approvals, otherwise 其他 (as CF-05 reads the name).
fn result_type(name: &str) -> &'static str {
    let mut chars = name.chars().rev();
    let (last, before) = (chars.next(), chars.next());
    let licence = name.ends_with("证书")
        || name.ends_with("执照")
        || (last == Some('证') && !before.is_some_and(|c| "认论验保查见公取举凭".contains(c)));
    if licence {
        "证照"
    } else if name.ends_with("批复") || name.ends_with("批文") {
        "批文"
    } else {
        "其他"
    }
}

fn answer(rng: &mut Rng, it: &Item, region: &str) -> String {
    let days = it
        .promised_limit
        .as_ref()
        .and_then(|p| p.value)
        .unwrap_or(0);
    let phone = it.consult_phone.as_deref().unwrap_or("");
    match rng.below(5) {
        0 if days == 0 => "材料齐全的当场办结。".into(),
        0 => format!("承诺{days}个工作日内办结，材料齐全的当场受理。"),
        1 => {
            format!("可以。受托人须携带授权委托书及双方身份证件原件，到{region}政务服务中心办理。")
        }
        2 => format!("可登录{region}政务服务网查询办理进度，或拨打{phone}咨询。"),
        3 if it.fee.as_ref().is_some_and(|f| f.charged == Some(true)) => {
            "按规定标准收费，可现场或网上缴纳。".into()
        }
        3 => "不收费。".into(),
        _ => format!("可通过{region}政务服务网或掌上办事应用提交电子材料，原件在领取结果时核验。"),
    }
}
