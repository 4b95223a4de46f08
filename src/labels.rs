//! Chinese names of the contract's fields (the element names of the national standard), for
//! messages and reports addressed to departments.

/// The 要素 name of a top-level field, or `None` for a key the contract does not name.
pub fn zh(field: &str) -> Option<&'static str> {
    Some(match field {
        "code" => "事项编码",
        "basic_code" => "基本编码",
        "impl_code" => "实施编码",
        "name" => "事项名称",
        "item_type" => "事项类型",
        "department" => "实施主体",
        "department_code" => "实施主体编码",
        "status" => "事项状态",
        "version" => "事项版本",
        "power_source" => "权力来源",
        "service_objects" => "服务对象",
        "legal_basis" => "设定依据",
        "case_type" => "办件类型",
        "channels" => "办理形式",
        "legal_limit" => "法定办结时限",
        "promised_limit" => "承诺办结时限",
        "onsite_visits" => "到办事现场次数",
        "onsite_reason" => "必须现场办理原因说明",
        "one_visit" => "是否最多跑一次",
        "online_depth" => "网上办理深度",
        "online_url" => "网办地址",
        "mobile_url" => "移动端地址",
        "pay_online" => "是否支持网上支付",
        "fee" => "收费",
        "materials" => "申请材料",
        "process" => "办理流程",
        "result" => "审批结果",
        "address" => "办理地点",
        "office_hours" => "办理时间",
        "consult_phone" => "咨询电话",
        "complaint_phone" => "监督投诉电话",
        "faq" => "常见问题",
        "effective_from" => "计划生效日期",
        "cancel_on" => "计划取消日期",
        _ => return None,
    })
}

/// Rewrites a `；`-separated list of field keys with their Chinese names (unknown keys kept).
pub fn zh_list(fields: &str) -> String {
    fields
        .split('；')
        .map(|f| {
            let root = &f[..f.find(['.', '[']).unwrap_or(f.len())];
            match zh(root) {
                Some(name) if root == f => name.to_string(),
                Some(name) => format!("{name}（{f}）"),
                None => f.to_string(),
            }
        })
        .collect::<Vec<_>>()
        .join("、")
}

#[cfg(test)]
mod tests {
    #[test]
    fn lists_are_translated() {
        assert_eq!(super::zh_list("name；address"), "事项名称、办理地点");
        assert_eq!(
            super::zh_list("materials[户口簿]；备注"),
            "申请材料（materials[户口簿]）、备注"
        );
    }
}
