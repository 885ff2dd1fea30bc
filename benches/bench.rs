//! `cargo bench`: Sockbench against plain Rust baselines measured in the
//! same run, on loopback. Prints a table and writes `target/bench.json`.
//!
//! `cargo bench -- NAME` runs only the benchmarks whose name contains NAME
//! (tcp, udp, latency, rules, connections, periodic, kernel, ui, window; window needs
//! Xvfb). `SOCKBENCH_QUICK=1` shrinks every
//! size, to check the harness rather than to measure.

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod common;
mod conns;
mod kernel;
mod net;
mod periodic;
mod ui_load;
mod window;

use common::Row;

#[global_allocator]
static ALLOC: common::Counting = common::Counting;

fn main() {
    // The connections benchmark re-runs this binary as its client swarm.
    if let Some(code) = conns::child_main() {
        std::process::exit(code);
    }
    let filter: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    let wanted = |name: &str| filter.is_empty() || filter.iter().any(|f| name.contains(f.as_str()));
    let mut rows: Vec<Row> = Vec::new();
    type Bench = fn() -> Vec<Row>;
    // The UI benchmark goes first: it measures memory per log row from RSS,
    // which memory freed (but kept by the allocator) by an earlier
    // benchmark would hide.
    let benches: [(&str, Bench); 9] = [
        ("ui", ui_load::ui_under_load),
        ("tcp", net::tcp_ingest),
        ("udp", net::udp_ingest),
        ("latency", net::latency),
        ("rules", net::reply_rules),
        ("connections", conns::connections),
        ("periodic", periodic::periodic),
        ("kernel", kernel::kernel),
        ("window", window::window),
    ];
    for (name, run) in benches {
        if wanted(name) {
            eprintln!("bench: {name} …");
            let got = run();
            print_table(&got);
            rows.extend(got);
        }
    }
    println!("\n== all results ==");
    print_table(&rows);
    let json = serde_json::to_string_pretty(&rows).unwrap_or_default();
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/bench.json");
    match std::fs::write(&path, json) {
        Ok(()) => println!("wrote {}", path.display()),
        Err(e) => eprintln!("could not write {}: {e}", path.display()),
    }
}

fn fmt(v: f64) -> String {
    if v.abs() >= 100.0 {
        format!("{v:.0}")
    } else if v.abs() >= 10.0 {
        format!("{v:.1}")
    } else {
        format!("{v:.3}")
    }
}

/// Prints rows as a Markdown table (pasted into the README as it is).
pub fn print_table(rows: &[Row]) {
    println!("| benchmark | metric | Sockbench | baseline | unit | ratio | target | met |");
    println!("|---|---|---:|---:|---|---:|---|---|");
    for r in rows {
        println!(
            "| {} | {} | {} | {} | {} | {} | {} | {} |",
            r.bench,
            r.metric,
            fmt(r.value),
            r.baseline.map(fmt).unwrap_or_default(),
            r.unit,
            r.ratio.map(|x| format!("{x:.2}")).unwrap_or_default(),
            r.target,
            match r.met {
                Some(true) => "yes",
                Some(false) => "**no**",
                None => "",
            }
        );
    }
}
