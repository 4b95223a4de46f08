//! Chinese names of the contract's fields (the element names of the national standard), for
//! messages and reports addressed to departments.

use crate::fields::Field;

/// The 要素 name of a top-level field, or `None` for a key the contract does not name (the names
/// are declared with the fields, in [`crate::fields`]).
pub fn zh(field: &str) -> Option<&'static str> {
    Field::of(field).map(Field::zh)
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
