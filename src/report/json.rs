//! The JSON renderer: `audit-report/1`, pretty-printed, keys in declaration order, stable bytes.

use super::{Report, io};
use crate::error::Result;
use std::io::Write;

/// Writes the report as `audit-report/1`.
pub fn render(report: &Report, out: &mut dyn Write) -> Result<()> {
    serde_json::to_writer_pretty(&mut *out, report).map_err(|e| io(e.into()))?;
    out.write_all(b"\n").map_err(io)
}
