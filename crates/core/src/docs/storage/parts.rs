//! Cutting a large document into pieces that convert on their own to
//! exactly what the whole converts to, so the pieces can be converted on
//! several cores at once, a few at a time, in memory the size of a piece.
//!
//! A piece starts at a top-level ATX heading (`#` … `######` in column 0)
//! that follows a blank line and is outside any fenced code block. Such a
//! line closes every open container (a list item or quote needs
//! indentation or `>`; a paragraph, table or HTML block of kinds 6–7 ends
//! at the blank line), so nothing before it changes how what follows
//! parses, and the writer emits nothing between the two blocks.
//!
//! A few constructs tie distant parts of a document together or make the
//! fence tracking below inexact; a document with any of them is not cut
//! at all (it converts in one piece):
//! - a link reference definition (`[name]: url`, anywhere: a use may be in
//!   another piece) — any `]:` at all;
//! - a line starting with `<` (an HTML block such as a comment may run
//!   across blank lines);
//! - a fence marker (```` ``` ```` or `~~~`) anywhere but at the start of a
//!   line (a fence in a list item or quote, or an indented one, could
//!   open or close where the tracking below cannot see it: only column-0
//!   fences are certainly top level, so only they are tracked). With every
//!   fence in column 0, the Mermaid diagrams of each piece are counted
//!   exactly, so each piece numbers its diagrams on from the pieces before.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;

use super::{render_part, Context, Rendered, Start};

/// Converts `markdown` in pieces of about `piece` bytes on `workers`
/// threads (see [`convert_in_order`]) and hands each piece's result to
/// `emit`, in document order, as soon as the pieces before it are out; in
/// one piece when it is not cut.
///
/// Small pieces keep memory low as well as spreading the work: each
/// thread converts one piece at a time, so the parser's tree and the
/// piece's output are the size of a piece and their memory is reused by
/// the next piece, where one large tree would be new memory throughout
/// (a first touch of a page costs more than most of the conversion).
pub(super) fn render(
    markdown: &str,
    context: &Context,
    workers: usize,
    piece: usize,
    emit: &mut dyn FnMut(Rendered),
) {
    let cuts = cut_points(markdown, piece);
    if cuts.at.is_empty() {
        return emit(render_part(markdown, context, Start::default()));
    }
    let pieces = Pieces::new(markdown, &cuts);
    convert_in_order(&pieces, context, workers, emit);
}

/// The pieces of a cut document, each with where it starts and how many
/// diagrams the cut finder counted in it.
struct Pieces<'a> {
    markdown: &'a str,
    bounds: Vec<usize>,
    starts: Vec<Start>,
    diagrams: &'a [usize],
    /// The next piece no thread has taken yet.
    next: AtomicUsize,
}

impl<'a> Pieces<'a> {
    fn new(markdown: &'a str, cuts: &'a Cuts) -> Self {
        let mut bounds = Vec::with_capacity(cuts.at.len() + 2);
        bounds.push(0);
        bounds.extend(&cuts.at);
        bounds.push(markdown.len());
        let mut diagram = 0;
        let starts = cuts
            .lines
            .iter()
            .zip(&cuts.diagrams)
            .enumerate()
            .map(|(i, (line, diagrams))| {
                let start = Start {
                    line: *line,
                    diagram,
                    first: i == 0,
                };
                diagram += diagrams;
                start
            })
            .collect();
        Pieces {
            markdown,
            bounds,
            starts,
            diagrams: &cuts.diagrams,
            next: AtomicUsize::new(0),
        }
    }

    fn count(&self) -> usize {
        self.starts.len()
    }

    /// Takes the next piece no thread has taken; `None` when all are.
    fn take(&self) -> Option<usize> {
        let index = self.next.fetch_add(1, Ordering::Relaxed);
        (index < self.count()).then_some(index)
    }

    /// Leaves the pieces no thread has taken yet untaken for good.
    fn stop(&self) {
        self.next.store(self.count(), Ordering::Relaxed);
    }

    fn convert(&self, index: usize, context: &Context) -> Rendered {
        let text = &self.markdown[self.bounds[index]..self.bounds[index + 1]];
        render_part(text, context, self.starts[index])
    }

    /// Everything from piece `index` on, in one piece, its diagrams
    /// numbered on from `diagrams_before`.
    fn convert_rest(&self, index: usize, diagrams_before: usize, context: &Context) -> Rendered {
        let start = Start {
            diagram: diagrams_before,
            ..self.starts[index]
        };
        render_part(&self.markdown[self.bounds[index]..], context, start)
    }
}

/// Converts every piece and emits each, in order, as soon as the ones
/// before it are out. With more than one worker, that many threads convert
/// the pieces in turn while this one only emits: pieces then finish about
/// in order and few wait in memory for the ones before them (this thread
/// converting too would run ahead of a slower piece and hold everything
/// it converted meanwhile). With one worker, or no thread started, this
/// thread converts them all.
fn convert_in_order(
    pieces: &Pieces,
    context: &Context,
    workers: usize,
    emit: &mut dyn FnMut(Rendered),
) {
    let count = pieces.count();
    let helpers_wanted = if workers > 1 { workers.min(count) } else { 0 };
    std::thread::scope(|scope| {
        let (sender, converted) = mpsc::channel::<(usize, Rendered)>();
        let helpers: Vec<_> = (0..helpers_wanted)
            .filter_map(|_| {
                let sender = sender.clone();
                // A thread the system will not start leaves its share to
                // the others, or to this thread when none starts.
                std::thread::Builder::new()
                    .name("storage-part".into())
                    .spawn_scoped(scope, move || {
                        while let Some(index) = pieces.take() {
                            let part = pieces.convert(index, context);
                            if sender.send((index, part)).is_err() {
                                break;
                            }
                        }
                    })
                    .ok()
            })
            .collect();
        // Only the helpers hold senders now: when they have all ended,
        // receiving fails instead of waiting.
        drop(sender);
        let mut waiting: BTreeMap<usize, Rendered> = BTreeMap::new();
        let mut diagrams_out = 0;
        for index in 0..count {
            let part = loop {
                if let Some(part) = waiting.remove(&index) {
                    break part;
                }
                if helpers.is_empty() {
                    if let Some(mine) = pieces.take() {
                        waiting.insert(mine, pieces.convert(mine, context));
                        continue;
                    }
                }
                match converted.recv() {
                    Ok((done, part)) => {
                        waiting.insert(done, part);
                    }
                    // The helper that took this piece panicked: it is
                    // converted again here, where a panic is the caller's
                    // as it would be without pieces.
                    Err(_) => break pieces.convert(index, context),
                }
            };
            let miscounted = part.diagrams.len() != pieces.diagrams[index];
            diagrams_out += part.diagrams.len();
            // This piece's own numbering is right (the counts before it
            // held), but the pieces after it were numbered from a wrong
            // count: the rest of the document is converted again, in one
            // piece, numbered on from what was really found.
            if miscounted && index + 1 < count {
                pieces.stop();
                emit(part);
                emit(pieces.convert_rest(index + 1, diagrams_out, context));
                break;
            }
            emit(part);
        }
        // Dropping the receiver ends helpers that are still sending.
        drop(converted);
        for helper in helpers {
            // A helper's panic was answered above.
            let _ = helper.join();
        }
    });
}

/// Where a document is cut, how many Mermaid diagrams each piece holds and
/// on which line each starts.
#[derive(Debug, Default, PartialEq, Eq)]
pub(super) struct Cuts {
    /// Byte offsets where a piece starts, after the first.
    pub(super) at: Vec<usize>,
    /// Mermaid diagrams in each piece (one more entry than `at`).
    pub(super) diagrams: Vec<usize>,
    /// The line (from 1) each piece starts on (one more entry than `at`).
    pub(super) lines: Vec<usize>,
}

/// Where `markdown` is cut into pieces of at least `piece` bytes each (a
/// piece ends at the first cut point past that); no cuts when it is not
/// cut. One pass over the lines (this runs before any piece converts, so
/// it looks at each line's first bytes and little else).
pub(super) fn cut_points(markdown: &str, piece: usize) -> Cuts {
    let piece = piece.max(1);
    if markdown.len() < 2 * piece || ties_parts_together(markdown) {
        return Cuts::default();
    }
    let bytes = markdown.as_bytes();
    let mut cuts = Cuts {
        at: Vec::new(),
        diagrams: vec![0],
        lines: vec![1],
    };
    let mut next_cut = piece;
    let mut fence: Option<Fence> = None;
    let mut previous_blank = true;
    let mut line_number = 1;
    let mut start = 0;
    while start < bytes.len() {
        let end = memchr::memchr(b'\n', &bytes[start..]).map_or(bytes.len(), |n| start + n + 1);
        let line = &markdown[start..end];
        let line_start = start;
        start = end;
        let this_line = line_number;
        line_number += 1;
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
            && line_start >= next_cut
            && bytes.len() - line_start >= piece
            && is_atx_heading(line)
        {
            cuts.at.push(line_start);
            cuts.diagrams.push(0);
            cuts.lines.push(this_line);
            next_cut = line_start + piece;
        }
        previous_blank = is_blank(line);
    }
    if cuts.at.is_empty() {
        return Cuts::default();
    }
    cuts
}

/// Only spaces and tabs (and the line's end): CommonMark's blank line.
fn is_blank(line: &str) -> bool {
    line.bytes()
        .all(|b| matches!(b, b' ' | b'\t' | b'\r' | b'\n'))
}

/// A link reference definition, a line starting with `<` (after any
/// spaces), or a fence marker anywhere but at the start of a line.
fn ties_parts_together(markdown: &str) -> bool {
    let bytes = markdown.as_bytes();
    let not_at_line_start = |at: usize| at > 0 && bytes[at - 1] != b'\n';
    let only_spaces_before = |at: usize| {
        let line_start = memchr::memrchr(b'\n', &bytes[..at]).map_or(0, |n| n + 1);
        bytes[line_start..at].iter().all(|b| *b == b' ')
    };
    memchr::memmem::find(bytes, b"]:").is_some()
        || memchr::memchr_iter(b'<', bytes).any(only_spaces_before)
        || memchr::memmem::find_iter(bytes, b"```").any(not_at_line_start)
        || memchr::memmem::find_iter(bytes, b"~~~").any(not_at_line_start)
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
    fn cuts_at_the_first_heading_after_a_blank_line_past_each_piece() {
        let doc = sections(40, "text text text");
        let third = doc.len() / 3;
        let cuts = cut_points(&doc, third).at;
        assert_eq!(cuts.len(), 1, "a last piece would be too small");
        // The first heading at or after a third.
        assert!(cuts[0] >= third && cuts[0] < third + 32);
        assert!(
            doc[cuts[0]..].starts_with("## Part 1"),
            "{}",
            &doc[cuts[0]..]
        );
        let fifth = doc.len() / 5;
        let cuts = cut_points(&doc, fifth).at;
        assert_eq!(cuts.len(), 3);
        for (cut, next) in cuts.iter().zip(cuts.iter().skip(1)) {
            assert!(doc[*cut..].starts_with("## Part "));
            assert!(next - cut >= fifth, "{cut} {next}");
        }
        assert!(
            doc.len() - cuts[2] >= fifth,
            "the last piece is not smaller"
        );
    }

    #[test]
    fn never_cuts_inside_a_column_0_fence() {
        // A shorter run of the marker does not close the fence.
        let fenced = "````text\n\n# not a heading\n\n```\n\n# still not\n````\n\n";
        let doc = format!("{}{fenced}{}", sections(10, "a"), sections(10, "b"));
        for cut in cut_points(&doc, 1).at {
            assert!(!doc[cut..].starts_with("# not") && !doc[cut..].starts_with("# still"));
        }
        let tilde = format!("{}~~~\n\n# inside\n\n~~~~\n\n# outside\n", sections(4, "a"));
        let cuts = cut_points(&tilde, 1).at;
        assert!(cuts.iter().all(|c| !tilde[*c..].starts_with("# inside")));
        assert!(cuts.iter().any(|c| tilde[*c..].starts_with("# outside")));
    }

    #[test]
    fn needs_a_blank_line_before_and_a_real_heading() {
        let doc = "intro\n# glued\n\n#nospace\n\n####### seven\n\n# real\n\nend\n";
        let cuts = cut_points(doc, 1).at;
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
            assert!(cut_points(&doc, 1).at.is_empty(), "{extra}");
        }
    }

    #[test]
    fn counts_the_diagrams_of_each_part() {
        let diagram =
            "```Mermaid {init}\nflowchart LR\n  A --> B\n```\n\n~~~mermaid\ngraph TD\n~~~\n\n";
        let first = format!("{}{diagram}", sections(10, "a"));
        let doc = format!("{first}{}```text\n```mermaid\n```\n\n", sections(20, "b"));
        let cuts = cut_points(&doc, first.len());
        assert_eq!(cuts.at, vec![first.len()]);
        assert_eq!(cuts.diagrams, vec![2, 0], "a fence inside a fence is text");
    }

    #[test]
    fn a_miscounted_piece_has_the_rest_converted_again_from_what_was_found() {
        let diagram = "```mermaid\nflowchart LR\n  A --> B\n```\n\n";
        let doc = format!(
            "{}{diagram}{}{diagram}{}",
            sections(4, "a"),
            sections(4, "b"),
            sections(4, "c")
        );
        let context = Context::default();
        let whole = render_part(&doc, &context, Start::default());
        // Cut at every section, then claim the first diagram's piece has
        // none: the pieces after it would be numbered from 0.
        let mut cuts = cut_points(&doc, 1);
        let with_diagram = cuts.diagrams.iter().position(|n| *n == 1).unwrap();
        cuts.diagrams[with_diagram] = 0;
        let pieces = Pieces::new(&doc, &cuts);
        for workers in [1, 3] {
            pieces.next.store(0, Ordering::Relaxed);
            let mut out = Vec::new();
            convert_in_order(&pieces, &context, workers, &mut |part| out.push(part));
            assert_eq!(out.len(), with_diagram + 2, "the rest in one piece");
            let numbers: Vec<&str> = out
                .iter()
                .flat_map(|p| p.diagrams.iter().map(|d| d.file_name.as_str()))
                .collect();
            assert_eq!(numbers, ["diagram-1.png", "diagram-2.png"]);
            let body: String = out.iter().map(|p| p.storage.as_str()).collect();
            assert_eq!(body, whole.storage);
        }
    }

    #[test]
    fn documents_under_two_pieces_are_not_cut() {
        let doc = sections(40, "text");
        assert!(cut_points(&doc, doc.len() / 2 + 1).at.is_empty());
        assert_eq!(cut_points(&doc, doc.len() / 3).at.len(), 1);
    }
}
