//! Cutting a large document into parts that convert on their own to
//! exactly what the whole converts to, so the parts can be converted on
//! several cores at once.
//!
//! A part starts at a top-level ATX heading (`#` … `######` in column 0)
//! that follows a blank line and is outside any fenced code block. Such a
//! line closes every open container (a list item or quote needs
//! indentation or `>`; a paragraph, table or HTML block of kinds 6–7 ends
//! at the blank line), so nothing before it changes how what follows
//! parses, and the writer emits nothing between the two blocks.
//!
//! A few constructs tie distant parts of a document together or make the
//! fence tracking below inexact; a document with any of them is not cut
//! at all (it converts in one piece, as before):
//! - a link reference definition (`[name]: url`, anywhere: a use may be in
//!   another part) — any `]:` at all;
//! - a line starting with `<` (an HTML block such as a comment may run
//!   across blank lines);
//! - a fence marker (```` ``` ```` or `~~~`) anywhere but at the start of a
//!   line (a fence in a list item or quote, or an indented one, could
//!   open or close where the tracking below cannot see it: only column-0
//!   fences are certainly top level, so only they are tracked). With every
//!   fence in column 0, the Mermaid diagrams of each part are counted
//!   exactly, so each part numbers its diagrams on from the parts before.

use super::{render_part, Context, Rendered, Start};

/// Converts `markdown` in at most `parts` parts of at least `min_part`
/// bytes, each on its own thread, and joins them; whole when it is not cut.
pub(super) fn render(markdown: &str, context: &Context, parts: usize, min_part: usize) -> Rendered {
    let cuts = cut_points(markdown, parts, min_part);
    if cuts.at.is_empty() {
        return render_part(markdown, context, Start::default());
    }
    let mut bounds = Vec::with_capacity(cuts.at.len() + 2);
    bounds.push(0);
    bounds.extend(&cuts.at);
    bounds.push(markdown.len());
    let pieces: Vec<&str> = bounds.windows(2).map(|w| &markdown[w[0]..w[1]]).collect();
    let mut line = 1;
    let mut diagram = 0;
    let starts: Vec<Start> = pieces
        .iter()
        .zip(&cuts.diagrams)
        .enumerate()
        .map(|(i, (piece, diagrams))| {
            let start = Start {
                line,
                diagram,
                first: i == 0,
            };
            line += piece.bytes().filter(|b| *b == b'\n').count();
            diagram += diagrams;
            start
        })
        .collect();
    let rendered: Vec<Rendered> = std::thread::scope(|scope| {
        // A thread the system will not start leaves its part to this one.
        let handles: Vec<_> = pieces
            .iter()
            .zip(&starts)
            .skip(1)
            .map(|(piece, start)| {
                std::thread::Builder::new()
                    .name("storage-part".into())
                    .spawn_scoped(scope, move || render_part(piece, context, *start))
                    .ok()
            })
            .collect();
        let mut all = vec![render_part(pieces[0], context, starts[0])];
        for (handle, (piece, start)) in handles.into_iter().zip(pieces.iter().zip(&starts).skip(1))
        {
            // A part whose thread panicked is converted again here, where
            // a panic is the caller's as it would be without parts.
            let part = handle.and_then(|h| h.join().ok());
            all.push(part.unwrap_or_else(|| render_part(piece, context, *start)));
        }
        all
    });
    // Each part numbered its diagrams on from the counts of the parts
    // before it; should a part hold another number than counted, the
    // document is converted whole instead.
    let counted = rendered
        .iter()
        .zip(&cuts.diagrams)
        .all(|(part, expected)| part.diagrams.len() == *expected);
    if !counted {
        return render_part(markdown, context, Start::default());
    }
    // The first part's body grows in place to hold the others: a large
    // buffer grows without copying what it holds, and only the bytes
    // appended are new memory.
    let total: usize = rendered.iter().map(|r| r.storage.len()).sum();
    let mut parts = rendered.into_iter();
    let mut whole = parts.next().unwrap_or_default();
    whole.storage.reserve_exact(total - whole.storage.len());
    for part in parts {
        whole.storage.push_str(&part.storage);
        whole.diagrams.extend(part.diagrams);
        whole.unresolved.extend(part.unresolved);
        whole.attachments_used.extend(part.attachments_used);
    }
    whole
}

/// Where a document is cut, and how many Mermaid diagrams each part holds.
#[derive(Debug, Default, PartialEq, Eq)]
pub(super) struct Cuts {
    /// Byte offsets where a part starts, after the first.
    pub(super) at: Vec<usize>,
    /// Mermaid diagrams in each part (one more entry than `at`).
    pub(super) diagrams: Vec<usize>,
}

/// Where `markdown` is cut into at most `parts` parts of at least
/// `min_part` bytes each; no cuts when it is not cut. One pass over the
/// lines (this runs before any part starts converting).
pub(super) fn cut_points(markdown: &str, parts: usize, min_part: usize) -> Cuts {
    if parts < 2 || markdown.len() < 2 * min_part || ties_parts_together(markdown) {
        return Cuts::default();
    }
    let target = (markdown.len() / parts).max(min_part);
    let mut cuts = Cuts {
        at: Vec::new(),
        diagrams: vec![0],
    };
    let mut next_cut = target;
    let mut fence: Option<Fence> = None;
    let mut previous_blank = true;
    let mut start = 0;
    while start < markdown.len() {
        let end = markdown[start..]
            .find('\n')
            .map_or(markdown.len(), |n| start + n + 1);
        let line = &markdown[start..end];
        let line_start = start;
        start = end;
        if let Some(open) = &fence {
            if open.is_closed_by(line) {
                fence = None;
            }
            previous_blank = false;
            continue;
        }
        if let Some(opened) = Fence::opened_by(line) {
            if opened.is_mermaid {
                if let Some(count) = cuts.diagrams.last_mut() {
                    *count += 1;
                }
            }
            fence = Some(opened);
            previous_blank = false;
            continue;
        }
        if previous_blank
            && cuts.at.len() + 1 < parts
            && line_start >= next_cut
            && markdown.len() - line_start >= min_part
            && is_atx_heading(line)
        {
            cuts.at.push(line_start);
            cuts.diagrams.push(0);
            next_cut = line_start + target;
        }
        previous_blank = line.trim().is_empty();
    }
    if cuts.at.is_empty() {
        return Cuts::default();
    }
    cuts
}

/// A link reference definition, a line starting with `<` (after any
/// spaces), or a fence marker anywhere but at the start of a line.
fn ties_parts_together(markdown: &str) -> bool {
    let not_at_line_start = |at: usize| at > 0 && markdown.as_bytes().get(at - 1) != Some(&b'\n');
    markdown.contains("]:")
        || markdown.starts_with('<')
        || markdown.match_indices('<').any(|(at, _)| {
            // Only spaces between the line's start and the `<`.
            let before = &markdown[..at];
            let line_start = before.rfind('\n').map_or(0, |n| n + 1);
            before[line_start..].bytes().all(|b| b == b' ')
        })
        || markdown
            .match_indices("```")
            .any(|(at, _)| not_at_line_start(at))
        || markdown
            .match_indices("~~~")
            .any(|(at, _)| not_at_line_start(at))
}

/// `#` to `######` in column 0, then a space, a tab or the line's end.
fn is_atx_heading(line: &str) -> bool {
    let hashes = line.bytes().take_while(|b| *b == b'#').count();
    (1..=6).contains(&hashes)
        && matches!(
            line.as_bytes().get(hashes),
            None | Some(b' ' | b'\t' | b'\n' | b'\r')
        )
}

/// An open fenced code block that started in column 0.
struct Fence {
    marker: u8,
    length: usize,
    /// Its language is Mermaid, as the writer reads it.
    is_mermaid: bool,
}

impl Fence {
    /// A fence opening in column 0: three or more backticks (whose info
    /// string has none) or tildes.
    fn opened_by(line: &str) -> Option<Fence> {
        let marker = *line.as_bytes().first()?;
        if marker != b'`' && marker != b'~' {
            return None;
        }
        let length = line.bytes().take_while(|b| *b == marker).count();
        let info = &line[length..];
        if length < 3 || (marker == b'`' && info.contains('`')) {
            return None;
        }
        let language = super::code_language(pulldown_cmark::CowStr::Borrowed(info.trim()));
        Some(Fence {
            marker,
            length,
            is_mermaid: language.as_deref() == Some("mermaid"),
        })
    }

    /// A closing fence: up to three spaces, at least as many of the same
    /// marker, then only spaces and tabs.
    fn is_closed_by(&self, line: &str) -> bool {
        let trimmed = line.trim_start_matches(' ');
        if line.len() - trimmed.len() > 3 {
            return false;
        }
        let length = trimmed.bytes().take_while(|b| *b == self.marker).count();
        length >= self.length && trimmed[length..].trim().is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sections(n: usize, body: &str) -> String {
        (0..n)
            .map(|i| format!("## Part {i}\n\n{body}\n\n"))
            .collect()
    }

    #[test]
    fn cuts_at_headings_after_a_blank_line_near_equal_sizes() {
        let doc = sections(40, "text text text");
        let cuts = cut_points(&doc, 2, 16).at;
        assert_eq!(cuts.len(), 1);
        // The first heading at or after the middle.
        assert!(cuts[0] >= doc.len() / 2 && cuts[0] < doc.len() / 2 + 32);
        assert!(
            doc[cuts[0]..].starts_with("## Part 2"),
            "{}",
            &doc[cuts[0]..]
        );
        let cuts = cut_points(&doc, 4, 16).at;
        assert_eq!(cuts.len(), 3);
        for cut in cuts {
            assert!(doc[cut..].starts_with("## Part "));
        }
    }

    #[test]
    fn never_cuts_inside_a_column_0_fence() {
        // A shorter run of the marker does not close the fence.
        let fenced = "````text\n\n# not a heading\n\n```\n\n# still not\n````\n\n";
        let doc = format!("{}{fenced}{}", sections(10, "a"), sections(10, "b"));
        for cut in cut_points(&doc, 8, 1).at {
            assert!(!doc[cut..].starts_with("# not") && !doc[cut..].starts_with("# still"));
        }
        let tilde = format!("{}~~~\n\n# inside\n\n~~~~\n\n# outside\n", sections(4, "a"));
        let cuts = cut_points(&tilde, 8, 1).at;
        assert!(cuts.iter().all(|c| !tilde[*c..].starts_with("# inside")));
        assert!(cuts.iter().any(|c| tilde[*c..].starts_with("# outside")));
    }

    #[test]
    fn needs_a_blank_line_before_and_a_real_heading() {
        let doc = "intro\n# glued\n\n#nospace\n\n####### seven\n\n# real\n\nend\n";
        let cuts = cut_points(doc, 8, 1).at;
        assert_eq!(cuts.len(), 1);
        assert!(doc[cuts[0]..].starts_with("# real"));
    }

    #[test]
    fn documents_with_parts_that_depend_on_each_other_are_not_cut() {
        let tied = [
            "[runbook]: https://wiki.example/runbook",
            "<!-- a comment\n\n# inside it\n\n-->",
            "- item\n\n  ```\n# heading\n  ```",
            "> ```mermaid\n> flowchart LR\n> ```",
            "Inline ```code``` with fence markers",
        ];
        for extra in tied {
            let doc = format!("{}{extra}\n\n{}", sections(10, "a"), sections(10, "b"));
            assert!(cut_points(&doc, 2, 1).at.is_empty(), "{extra}");
        }
    }

    #[test]
    fn counts_the_diagrams_of_each_part() {
        let diagram =
            "```Mermaid {init}\nflowchart LR\n  A --> B\n```\n\n~~~mermaid\ngraph TD\n~~~\n\n";
        let doc = format!(
            "{}{diagram}{}```text\n```mermaid\n```\n\n",
            sections(10, "a"),
            sections(10, "b")
        );
        let cuts = cut_points(&doc, 2, 16);
        assert_eq!(cuts.at.len(), 1);
        assert_eq!(cuts.diagrams, vec![2, 0], "a fence inside a fence is text");
    }

    #[test]
    fn small_documents_and_one_part_are_not_cut() {
        let doc = sections(40, "text");
        assert!(cut_points(&doc, 1, 1).at.is_empty());
        assert!(cut_points(&doc, 2, doc.len()).at.is_empty());
    }
}
