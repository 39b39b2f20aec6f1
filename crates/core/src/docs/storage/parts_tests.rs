//! A document converted in parts gives exactly what it gives whole: the
//! same storage body, diagrams (numbers and lines), unresolved references
//! and attachments used.

use proptest::prelude::*;

use super::parts;
use super::tests::well_formed;
use super::{render_part, Context, Rendered, Start};

/// The evidence tests' attachments and page links, with a severity.
fn context() -> Context {
    let mut c = super::evidence_tests::context();
    c.severity = Some("P1".into());
    c
}

/// Blocks of every kind the writer handles, in Markdown as people write it.
const BLOCKS: &[&str] = &[
    "## Timeline\n",
    "# Root cause\n",
    "### Detail",
    "A paragraph with *emphasis*, **strong**, ~~struck~~, `code` and :fire:.\nA second line.\n",
    "| Time | Event |\n|---|---|\n| 10:02 | Alert |\n| 10:05 | **Declared** |\n",
    "- one\n- two\n  - nested\n",
    "- one\n\n- loose two\n",
    "1. first\n2. second\n",
    "3. starts at three\n",
    "- [ ] open task (owner: Ana)\n- [x] done task\n",
    "> **Note:** the alert fired late.\n",
    "> [!WARNING]\n> Check the pool size.\n",
    "> plain quote\n> # heading in a quote\n",
    "```yaml\npool:\n  size: 0 # ]]> inside\n\n# not a heading\n```\n",
    "~~~\n# not a heading either\n\n~~~\n",
    "```mermaid\nflowchart LR\n  A --> B\n```\n",
    "```mermaid\nflowchart TD\n  X[Start] --> Y{Ok?}\n```\n",
    "![Graph](<img/error rate.png>)\n",
    "![Missing](img/missing.png)\n",
    "See [the log](logs/run.log) and [the timeline](timeline.md#detail).\n",
    "[TOC]\n",
    "    indented code\n    # not a heading\n",
    "Setext heading\n===\n",
    "---\n",
    "Text then\n# a heading right after\n",
    "Line with a hard break  \nand more.\n",
    // A link to a reference that only a tying block below defines.
    "Use the [runbook] to recover.\n",
];

/// Blocks that stop a document from being cut: parts must then not be
/// used at all, and the result is still the same.
const TYING: &[&str] = &[
    "[runbook]: https://wiki.example/runbook\n",
    "<!-- a comment\n\n# inside it\n\n-->\n",
    "<div>\nraw\n</div>\n",
    "- item\n\n  ```\n# heading closes the item\n  ```\n",
    "- a diagram in a list\n\n  ```mermaid\n  flowchart LR\n    A --> B\n  ```\n",
    "> ```mermaid\n> flowchart LR\n> ```\n",
];

fn assemble(picks: &[usize], tying: Option<usize>, crlf: bool) -> String {
    let mut doc = String::new();
    for (i, pick) in picks.iter().enumerate() {
        doc.push_str(BLOCKS[pick % BLOCKS.len()]);
        doc.push('\n');
        if let Some(t) = tying {
            if i == picks.len() / 2 {
                doc.push_str(TYING[t % TYING.len()]);
                doc.push('\n');
            }
        }
    }
    if crlf {
        doc = doc.replace('\n', "\r\n");
    }
    doc
}

/// Converts in pieces of about `piece` bytes on `workers` threads, joining
/// what is emitted in order.
fn render_in_parts(markdown: &str, context: &Context, workers: usize, piece: usize) -> Rendered {
    let mut joined = Rendered::default();
    parts::render(markdown, context, workers, piece, &mut |part| {
        joined.append(part)
    });
    joined
}

fn whole(markdown: &str, context: &Context) -> Rendered {
    render_part(markdown, context, Start::default())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn parts_convert_to_exactly_the_whole(
        picks in proptest::collection::vec(0usize..100, 1..80),
        tying in proptest::option::weighted(0.2, 0usize..10),
        crlf in proptest::bool::weighted(0.1),
        workers in 1usize..5,
        piece in 1usize..600,
    ) {
        let doc = assemble(&picks, tying, crlf);
        let context = context();
        let in_parts = render_in_parts(&doc, &context, workers, piece);
        prop_assert_eq!(in_parts, whole(&doc, &context));
    }
}

#[test]
fn a_large_rca_with_diagrams_in_every_part_is_numbered_through() {
    let picks: Vec<usize> = (0..16000).collect();
    let doc = assemble(&picks, None, false);
    assert!(doc.len() > 8 * super::PIECE, "{}", doc.len());
    let context = context();
    let in_parts = render_in_parts(&doc, &context, 4, super::PIECE);
    let expected = whole(&doc, &context);
    let cuts = super::parts::cut_points(&doc, super::PIECE);
    assert!(cuts.at.len() >= 7, "the document is cut: {cuts:?}");
    assert!(
        cuts.diagrams.iter().all(|n| *n > 0),
        "every piece holds diagrams: {cuts:?}"
    );
    assert_eq!(in_parts.diagrams.len(), expected.diagrams.len());
    let last = in_parts.diagrams.last().unwrap();
    assert_eq!(
        last.file_name,
        format!("diagram-{}.png", expected.diagrams.len())
    );
    assert_eq!(last.line, expected.diagrams.last().unwrap().line);
    assert_eq!(in_parts, expected);
    well_formed(&in_parts.storage).unwrap();
    assert_eq!(
        in_parts.storage.matches("ac:name=\"status\"").count(),
        1,
        "one severity lozenge"
    );
}

#[test]
fn render_and_render_to_give_the_whole_body() {
    let picks: Vec<usize> = (0..6000).collect();
    let doc = assemble(&picks, None, false);
    assert!(
        super::parts::cut_points(&doc, super::PIECE).at.len() > 4,
        "the document is cut into pieces"
    );
    let context = context();
    let expected = whole(&doc, &context);
    assert_eq!(super::render(&doc, &context), expected);
    let mut written = Vec::new();
    super::render_to(&doc, &context, &mut written).unwrap();
    assert_eq!(String::from_utf8(written).unwrap(), expected.storage);
}
