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
//! - a fence indented by one to three spaces (it could belong to a list
//!   item, which a column-0 line closes: only column-0 fences are certainly
//!   top level, so only they are tracked).

/// Byte offsets where `markdown` is cut into at most `parts` parts of at
/// least `min_part` bytes each; empty when it is not cut. One pass over
/// the lines (this runs before any part starts converting).
pub(super) fn cut_points(markdown: &str, parts: usize, min_part: usize) -> Vec<usize> {
    if parts < 2 || markdown.len() < 2 * min_part || markdown.contains("]:") {
        return Vec::new();
    }
    let target = (markdown.len() / parts).max(min_part);
    let mut cuts = Vec::new();
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
        // A tie anywhere, even past the last cut, rules every cut out.
        if ties_parts_together(line) {
            return Vec::new();
        }
        if let Some(open) = &fence {
            if open.is_closed_by(line) {
                fence = None;
            }
            previous_blank = false;
            continue;
        }
        if let Some(opened) = Fence::opened_by(line) {
            fence = Some(opened);
            previous_blank = false;
            continue;
        }
        if previous_blank
            && cuts.len() + 1 < parts
            && line_start >= next_cut
            && markdown.len() - line_start >= min_part
            && is_atx_heading(line)
        {
            cuts.push(line_start);
            next_cut = line_start + target;
        }
        previous_blank = line.trim().is_empty();
    }
    cuts
}

/// A line starting with `<` (after any spaces), or a fence indented by
/// one to three spaces.
fn ties_parts_together(line: &str) -> bool {
    match line.as_bytes().first() {
        Some(b'<') => true,
        Some(b' ') => {
            let trimmed = line.trim_start_matches(' ');
            let indent = line.len() - trimmed.len();
            trimmed.starts_with('<')
                || (indent <= 3 && (trimmed.starts_with("```") || trimmed.starts_with("~~~")))
        }
        _ => false,
    }
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
        if length < 3 || (marker == b'`' && line[length..].contains('`')) {
            return None;
        }
        Some(Fence { marker, length })
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
        let cuts = cut_points(&doc, 2, 16);
        assert_eq!(cuts.len(), 1);
        // The first heading at or after the middle.
        assert!(cuts[0] >= doc.len() / 2 && cuts[0] < doc.len() / 2 + 32);
        assert!(
            doc[cuts[0]..].starts_with("## Part 2"),
            "{}",
            &doc[cuts[0]..]
        );
        let cuts = cut_points(&doc, 4, 16);
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
        for cut in cut_points(&doc, 8, 1) {
            assert!(!doc[cut..].starts_with("# not") && !doc[cut..].starts_with("# still"));
        }
        let tilde = format!("{}~~~\n\n# inside\n\n~~~~\n\n# outside\n", sections(4, "a"));
        let cuts = cut_points(&tilde, 8, 1);
        assert!(cuts.iter().all(|c| !tilde[*c..].starts_with("# inside")));
        assert!(cuts.iter().any(|c| tilde[*c..].starts_with("# outside")));
    }

    #[test]
    fn needs_a_blank_line_before_and_a_real_heading() {
        let doc = "intro\n# glued\n\n#nospace\n\n####### seven\n\n# real\n\nend\n";
        let cuts = cut_points(doc, 8, 1);
        assert_eq!(cuts.len(), 1);
        assert!(doc[cuts[0]..].starts_with("# real"));
    }

    #[test]
    fn documents_with_parts_that_depend_on_each_other_are_not_cut() {
        let tied = [
            "[runbook]: https://wiki.example/runbook",
            "<!-- a comment\n\n# inside it\n\n-->",
            "- item\n\n  ```\n# heading\n  ```",
        ];
        for extra in tied {
            let doc = format!("{}{extra}\n\n{}", sections(10, "a"), sections(10, "b"));
            assert!(cut_points(&doc, 2, 1).is_empty(), "{extra}");
        }
    }

    #[test]
    fn small_documents_and_one_part_are_not_cut() {
        let doc = sections(40, "text");
        assert!(cut_points(&doc, 1, 1).is_empty());
        assert!(cut_points(&doc, 2, doc.len()).is_empty());
    }
}
