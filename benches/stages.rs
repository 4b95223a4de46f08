//! Criterion benchmarks of the pipeline's stages on a generated 10k-item pair (the generator of
//! `examples/generate.rs`, seed 7, in memory): parse (both snapshots and the log, validated as
//! `audit` does), diff, check (the full built-in rule pack), render the JSON report, and the three
//! middle stages together as `pipeline::audit_loaded`.
//!
//! ```text
//! cargo bench --bench stages
//! ```
//!
//! CI builds this with clippy but never runs it; `benches/run.sh` measures whole processes.

#![allow(clippy::print_stdout, clippy::print_stderr)]

#[allow(dead_code)]
#[path = "../examples/generate.rs"]
mod generate;

use catalog_audit::check::{self, Input};
use catalog_audit::config::Config;
use catalog_audit::model::{AdjustmentLog, Catalog};
use catalog_audit::report::{self, Format, Style};
use catalog_audit::rules::{Lang, Pack};
use catalog_audit::{diff, load, pipeline};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use std::hint::black_box;

const ITEMS: usize = 10_000;

struct Texts {
    old: String,
    new: String,
    log: String,
}

fn generated() -> Texts {
    let opts = generate::Options {
        items: ITEMS,
        seed: 7,
        per_region: 600,
        ..Default::default()
    };
    let templates = generate::Templates::load();
    let (mut old, mut new, mut log) = (Vec::new(), Vec::new(), Vec::new());
    let (requests, _) = generate::generate(&opts, &templates, &mut old, &mut new, None)
        .expect("generating in memory cannot fail");
    generate::write_log(&requests, &mut log).expect("writing to memory cannot fail");
    let text = |b: Vec<u8>| String::from_utf8(b).expect("the generator writes UTF-8");
    Texts {
        old: text(old),
        new: text(new),
        log: text(log),
    }
}

fn parse(t: &Texts) -> (Catalog, Catalog, AdjustmentLog) {
    (
        load::snapshot_from_str("old.json", &t.old).expect("old parses"),
        load::snapshot_from_str("new.json", &t.new).expect("new parses"),
        load::adjustment_log_from_str("adjustments.json", &t.log).expect("log parses"),
    )
}

fn stages(c: &mut Criterion) {
    let texts = generated();
    let (old, new, log) = parse(&texts);
    let pack = Pack::builtin().expect("the built-in pack loads");
    let config = Config::default();
    let as_of = new.info.as_of.expect("the generator dates its snapshots");

    let mut g = c.benchmark_group("stages_10k");
    g.sample_size(10);
    g.throughput(Throughput::Elements(ITEMS as u64));

    g.bench_function("parse", |b| b.iter(|| black_box(parse(&texts))));

    g.bench_function("diff", |b| {
        b.iter(|| black_box(diff::diff(&old, &new, Some(&log))))
    });

    let d = diff::diff(&old, &new, Some(&log));
    g.bench_function("check", |b| {
        b.iter(|| {
            black_box(check::check(
                &pack,
                &Input {
                    old: Some(&old),
                    new: &new,
                    diff: &d,
                    log: Some(&log),
                    as_of,
                    lang: Lang::Zh,
                    config: &config,
                    progress: None,
                },
            ))
        })
    });

    let rep = pipeline::audit_loaded(&old, &new, Some(&log), &pack, &config, as_of, Lang::Zh);
    let style = Style::plain(Lang::Zh);
    g.bench_function("render_json", |b| {
        b.iter(|| {
            let mut out = Vec::with_capacity(1 << 24);
            report::render(&rep, Format::Json, &style, &mut out).expect("renders");
            black_box(out.len())
        })
    });

    g.bench_function("audit_loaded", |b| {
        b.iter(|| {
            black_box(pipeline::audit_loaded(
                &old,
                &new,
                Some(&log),
                &pack,
                &config,
                as_of,
                Lang::Zh,
            ))
        })
    });
    g.finish();
}

criterion_group!(benches, stages);
criterion_main!(benches);
