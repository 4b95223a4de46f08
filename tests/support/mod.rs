//! The demo inputs (examples/qinghe) loaded once per test, and their first-round audit, shared by
//! the test files that read the demo as a department would.

#![allow(dead_code)] // each test file uses what it needs

use catalog_audit::load;
use catalog_audit::model::{AdjustmentLog, Catalog};
use catalog_audit::pipeline::audit_loaded;
use catalog_audit::report::Report;
use catalog_audit::rules::{Lang, Pack};
use chrono::NaiveDate;
use std::path::Path;

/// The demo's two snapshots, its adjustment log and the built-in rule pack.
pub struct Demo {
    pub old: Catalog,
    pub new: Catalog,
    pub log: AdjustmentLog,
    pub pack: Pack,
}

/// Loads the demo.
pub fn demo() -> Demo {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/qinghe");
    Demo {
        old: load::snapshot(&dir.join("2017-06-30.json")).unwrap(),
        new: load::snapshot(&dir.join("2017-12-31.json")).unwrap(),
        log: load::adjustment_log(&dir.join("adjustments-2017H2.json")).unwrap(),
        pack: Pack::builtin().unwrap(),
    }
}

impl Demo {
    /// The new snapshot's date, which the demo is judged at.
    pub fn as_of(&self) -> NaiveDate {
        self.new.info.as_of.unwrap()
    }

    /// The first-round audit in Chinese with the default configuration.
    pub fn audit(&self) -> Report {
        audit_loaded(
            &self.old,
            &self.new,
            Some(&self.log),
            &self.pack,
            &Default::default(),
            self.as_of(),
            Lang::Zh,
        )
    }
}
