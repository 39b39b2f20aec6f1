//! Markdown → Confluence storage format throughput on a 1 MB RCA.
//! Run: `cargo bench -p ibridge-core --bench storage_format`.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use ibridge_core::docs::storage::markdown_to_storage;

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

fn throughput(c: &mut Criterion) {
    let doc = one_megabyte_rca();
    let mut group = c.benchmark_group("markdown_to_storage");
    group.throughput(Throughput::Bytes(doc.len() as u64));
    group.sample_size(20);
    group.bench_function("1 MB RCA", |b| b.iter(|| markdown_to_storage(&doc)));
    group.finish();
}

criterion_group!(benches, throughput);
criterion_main!(benches);
