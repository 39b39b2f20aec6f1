//! Markdown → Confluence storage format throughput on a 1 MiB RCA: the
//! writer in one piece on one core, side by side with pulldown-cmark's own
//! HTML writer walking the same events (the floor for any writer over this
//! parser); then `render` as the product calls it, which cuts a large
//! document into pieces converted on every core, on the same RCA and on a
//! 1 MiB RCA with 20 attached images and 5 Mermaid diagrams.
//! The side-by-side pair is measured twice: in wall time, and in the
//! benchmark thread's own CPU time, which other processes on a shared
//! machine inflate less (their share of the cores is wall time the
//! thread spends waiting, not running).
//! Run: `cargo bench -p ibridge-core --bench storage_format`.

use criterion::measurement::{Measurement, ValueFormatter, WallTime};
use criterion::{black_box, criterion_group, criterion_main, Criterion, Throughput};
use ibridge_core::docs::storage::{self, markdown_to_storage, Context};
use pulldown_cmark::{html, Options, Parser};

/// One RCA section with every construct the converter handles.
const SECTION: &str = r#"## Timeline

| Time (UTC) | Event |
|---|---|
| 10:02 | Alert: checkout 5xx > 2% |
| 10:05 | **Incident declared**, P1 |
| 10:31 | Rolled back `payments@4.2.1` |

## Root cause

A config change set the pool size to *zero* on ~~one~~ all nodes. See [the runbook](https://wiki.example/runbooks/payments?x=1&y=2).

> **Note:** the alert fired 3 minutes after the first errors.

```yaml
pool:
  size: 0   # ]]> should never end CDATA
```

- Contributing factors
  - no canary for config
  - alert threshold too high
1. First fix
2. Second fix

- [ ] Add config canary (owner: Ana, due 2026-12-01)
- [x] Raise pool size

![Error rate](https://grafana.example/render/d/abc.png)

"#;

fn one_megabyte_rca() -> String {
    let mut doc = String::from("# RCA: checkout outage\n\n");
    while doc.len() < 1024 * 1024 {
        doc.push_str(SECTION);
    }
    doc
}

const DIAGRAM: &str = "```mermaid\nflowchart LR\n  A[Deploy] --> B{Errors?}\n  B -->|yes| C[Roll back]\n  B -->|no| D[Done]\n```\n\n";

/// 1 MiB with 20 images of the document's own and 5 diagrams spread
/// through it.
fn evidence_rca() -> (String, Context) {
    let mut context = Context::default();
    let base = one_megabyte_rca();
    let sections: Vec<&str> = base.split("## Timeline").collect();
    let mut doc = String::with_capacity(base.len() + 4096);
    let step = sections.len() / 25;
    for (i, section) in sections.iter().enumerate() {
        if i > 0 {
            doc.push_str("## Timeline");
        }
        doc.push_str(section);
        if step > 0 && i % step == 0 && i / step < 25 {
            let n = i / step;
            if n % 5 == 4 {
                doc.push_str(DIAGRAM);
            } else {
                let path = format!("img/graph-{n}.png");
                doc.push_str(&format!("![Graph {n}]({path})\n\n"));
                context.attachments.insert(path, format!("graph-{n}.png"));
            }
        }
    }
    (doc, context)
}

fn pulldown_html(markdown: &str) -> String {
    let options = Options::ENABLE_TABLES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_GFM;
    let mut out = String::with_capacity(markdown.len() * 3 / 2);
    html::push_html(&mut out, Parser::new_ext(markdown, options));
    out
}

/// Times `measured` only, running `other` just before it each iteration:
/// the pair alternates, so a slow spell of a shared machine falls on both
/// alike instead of on whichever was measured during it.
fn interleaved<M: Measurement, T, U>(
    measurement: &M,
    iters: u64,
    mut other: impl FnMut() -> U,
    mut measured: impl FnMut() -> T,
) -> M::Value {
    let mut total = measurement.zero();
    for _ in 0..iters {
        black_box(other());
        let started = measurement.start();
        black_box(measured());
        let took = measurement.end(started);
        total = measurement.add(&total, &took);
    }
    total
}

/// One conversion, its result dropped unseen by the optimiser.
type Side<'a> = &'a dyn Fn();

/// The writer and `push_html` on the same document, side by side.
fn side_by_side<M: Measurement>(c: &mut Criterion<M>, name: &str, measurement: fn() -> M) {
    let doc = one_megabyte_rca();
    let mut group = c.benchmark_group(name);
    group.throughput(Throughput::Bytes(doc.len() as u64));
    group.sample_size(30);
    let writer = || {
        black_box(storage::render_whole(&doc, &Context::default()));
    };
    // The same writer as the product runs it on a single core: in 16 KiB
    // pieces one after another, each parse tree small enough to stay in
    // the cache.
    let in_pieces = || {
        black_box(storage::render_on(&doc, &Context::default(), 1));
    };
    let html = || {
        black_box(pulldown_html(&doc));
    };
    // Each side is timed with the other one run just before it, untimed.
    let sides: [(&str, Side, Side); 3] = [
        ("storage writer", &html, &writer),
        ("storage writer, in pieces on one core", &html, &in_pieces),
        ("pulldown-cmark push_html", &writer, &html),
    ];
    for (name, other, measured) in sides {
        group.bench_function(name, |b| {
            b.iter_custom(|iters| interleaved(&measurement(), iters, other, measured))
        });
    }
    group.finish();
}

/// The writer's time over `push_html`'s, pair by pair: each pair runs the
/// two back to back (in turn first), so both see the same state of a
/// shared machine, and the median of the pairs' ratios is what a slow
/// spell moves least. Printed beside criterion's own figures.
fn paired_ratios(pairs: usize) {
    let doc = one_megabyte_rca();
    let mut wall = Vec::with_capacity(pairs);
    let mut cpu = Vec::with_capacity(pairs);
    let timed = |f: &dyn Fn()| {
        let (started, cpu_started) = (std::time::Instant::now(), thread_cpu_ns());
        f();
        (
            started.elapsed().as_nanos() as f64,
            (thread_cpu_ns() - cpu_started) as f64,
        )
    };
    let writer = || {
        black_box(storage::render_whole(&doc, &Context::default()));
    };
    let html = || {
        black_box(pulldown_html(&doc));
    };
    for pair in 0..pairs + 2 {
        let (w, h) = if pair % 2 == 0 {
            let w = timed(&writer);
            (w, timed(&html))
        } else {
            let h = timed(&html);
            (timed(&writer), h)
        };
        // The first two pairs warm the allocator and the caches.
        if pair >= 2 {
            wall.push(w.0 / h.0);
            cpu.push(w.1 / h.1);
        }
    }
    // Median and quartiles of the pairs' ratios.
    let spread = |v: &mut Vec<f64>| {
        v.sort_by(f64::total_cmp);
        (v[v.len() / 2], v[v.len() / 4], v[v.len() * 3 / 4])
    };
    let (wall, cpu) = (spread(&mut wall), spread(&mut cpu));
    println!(
        "1 MiB RCA, storage writer / push_html, {pairs} paired runs: \
         wall time {:.2}x (quartiles {:.2}-{:.2}), \
         thread CPU time {:.2}x (quartiles {:.2}-{:.2})",
        wall.0, wall.1, wall.2, cpu.0, cpu.1, cpu.2
    );
}

fn throughput(c: &mut Criterion) {
    paired_ratios(61);
    side_by_side(c, "1 MiB RCA", || WallTime);

    // What `render` does with a large document: cut into pieces converted
    // on every core (the writer above runs in one piece, on one core).
    let doc = one_megabyte_rca();
    let mut group = c.benchmark_group("1 MiB RCA, in pieces on every core");
    group.throughput(Throughput::Bytes(doc.len() as u64));
    group.sample_size(30);
    group.bench_function("storage writer", |b| b.iter(|| markdown_to_storage(&doc)));
    group.finish();

    let (doc, context) = evidence_rca();
    let check = storage::render(&doc, &context);
    assert_eq!(check.diagrams.len(), 5);
    assert_eq!(check.attachments_used.len(), 20);
    assert!(check.unresolved.is_empty());
    let mut group = c.benchmark_group("1 MiB RCA, 20 images, 5 diagrams");
    group.throughput(Throughput::Bytes(doc.len() as u64));
    group.sample_size(20);
    group.bench_function("storage writer", |b| {
        b.iter(|| storage::render(&doc, &context))
    });
    group.finish();
}

/// CPU time of the calling thread (user + system), in nanoseconds; shown
/// with criterion's own time formatting.
struct ThreadCpuTime(WallTime);

/// `CLOCK_THREAD_CPUTIME_ID` brings the scheduler's count up to date when
/// read (`/proc/thread-self/schedstat` moves only at scheduler ticks, too
/// coarse for a conversion of a few milliseconds).
fn thread_cpu_ns() -> u64 {
    let mut now = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `now` is a valid timespec for the call to fill.
    let read = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut now) };
    assert_eq!(read, 0, "the thread's CPU clock");
    now.tv_sec as u64 * 1_000_000_000 + now.tv_nsec as u64
}

impl Measurement for ThreadCpuTime {
    type Intermediate = u64;
    type Value = u64;

    fn start(&self) -> u64 {
        thread_cpu_ns()
    }
    fn end(&self, started: u64) -> u64 {
        thread_cpu_ns() - started
    }
    fn add(&self, a: &u64, b: &u64) -> u64 {
        a + b
    }
    fn zero(&self) -> u64 {
        0
    }
    fn to_f64(&self, value: &u64) -> f64 {
        *value as f64
    }
    fn formatter(&self) -> &dyn ValueFormatter {
        self.0.formatter()
    }
}

fn side_by_side_cpu(c: &mut Criterion<ThreadCpuTime>) {
    side_by_side(c, "1 MiB RCA, thread CPU time", || ThreadCpuTime(WallTime));
}

criterion_group!(benches, throughput);
criterion_group! {
    name = cpu;
    config = Criterion::default().with_measurement(ThreadCpuTime(WallTime));
    targets = side_by_side_cpu
}
criterion_main!(benches, cpu);
