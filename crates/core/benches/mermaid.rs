//! Mermaid on this machine: a 50-node flowchart to SVG, and that SVG to
//! PNG (fonts already loaded, as in a running process).
//! Run: `cargo bench -p ibridge-core --bench mermaid`.

use criterion::{criterion_group, criterion_main, Criterion};
use ibridge_core::docs::mermaid;

/// A binary tree of 50 nodes, left to right: drawn top-down its 25
/// leaves side by side would be wider than the 8192-pixel limit.
fn fifty_nodes() -> String {
    let mut source = String::from("flowchart LR\n");
    for i in 0..50 {
        source.push_str(&format!("  N{i}[Step {i}: check service {i}]\n"));
    }
    for i in 1..50 {
        source.push_str(&format!("  N{} --> N{i}\n", (i - 1) / 2));
    }
    source
}

fn diagrams(c: &mut Criterion) {
    let source = fifty_nodes();
    let svg = mermaid::to_svg(&source, "bench").expect("renders");
    // Loads the system fonts once, outside the measurement.
    let png = mermaid::to_png(&svg, "bench").expect("rasterises");
    eprintln!(
        "50-node flowchart: SVG {} bytes, PNG {} bytes",
        svg.len(),
        png.len()
    );
    let mut group = c.benchmark_group("Mermaid 50-node flowchart");
    group.sample_size(20);
    group.bench_function("to SVG", |b| b.iter(|| mermaid::to_svg(&source, "bench")));
    group.bench_function("SVG to PNG", |b| b.iter(|| mermaid::to_png(&svg, "bench")));
    group.finish();
}

criterion_group!(benches, diagrams);
criterion_main!(benches);
