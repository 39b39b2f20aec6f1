//! Markdown → Confluence storage format (XHTML with `ac:`/`ri:` elements).
//!
//! Every Start event pushes a frame that knows its closing tag, so the
//! output is balanced whatever the input; all text and attribute values are
//! XML-escaped and stripped of characters XML 1.0 forbids; raw HTML in the
//! Markdown is shown as text, never passed through.
//!
//! What the page links to (attachments, other published documents, the
//! incident's severity) comes from a [`Context`]; Mermaid blocks become an
//! attached picture plus their source, and are returned for rendering.

mod context;
mod escape;
mod events;
mod extras;
mod parts;

use std::io::Write;

use super::link_policy;
use events::Events;
use pulldown_cmark::{
    BlockQuoteKind, CodeBlockKind, CowStr, Event, HeadingLevel, Options, Parser, Tag, TagEnd,
};

pub(crate) use context::is_relative;
pub use context::{Context, Diagram, PageLink, Rendered};
use escape::push_attr;
pub(crate) use escape::push_text;

/// Converts a Markdown document to a storage-format fragment.
pub fn markdown_to_storage(markdown: &str) -> String {
    render(markdown, &Context::default()).storage
}

/// Converts a Markdown document with what its links point at; also says
/// which diagrams it holds and which relative references found nothing.
/// A large document is cut into pieces converted on several cores at once
/// (see [`parts`]); the result is the same as converting it whole.
pub fn render(markdown: &str, context: &Context) -> Rendered {
    render_on(markdown, context, workers())
}

/// [`render`] on at most `workers` threads; with one, in pieces on the
/// calling thread (the product's conversion on a single core).
pub fn render_on(markdown: &str, context: &Context, workers: usize) -> Rendered {
    let mut whole: Option<Rendered> = None;
    parts::render(
        markdown,
        context,
        workers,
        PIECE,
        &mut |part| match &mut whole {
            Some(whole) => whole.append(part),
            // The first piece's body grows to hold the whole document's.
            None => {
                let mut first = part;
                let room = output_capacity(markdown).saturating_sub(first.storage.len());
                first.storage.reserve(room);
                whole = Some(first);
            }
        },
    );
    whole.unwrap_or_default()
}

/// [`render`]'s storage body written to `out` piece by piece as the pieces
/// are converted: a large document's body is never whole in memory.
pub fn render_to(markdown: &str, context: &Context, out: &mut dyn Write) -> std::io::Result<()> {
    let mut written = Ok(());
    parts::render(markdown, context, workers(), PIECE, &mut |part| {
        if written.is_ok() {
            written = out.write_all(part.storage.as_bytes());
        }
    });
    written
}

fn workers() -> usize {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    cores.min(MAX_WORKERS)
}

/// The storage body is a little over twice the Markdown (macros and task
/// lists are wordier than HTML): sized once, with room to spare, so it is
/// never copied to grow. Capacity not written to is never touched, so it
/// costs no memory.
fn output_capacity(markdown: &str) -> usize {
    markdown.len() * 5 / 2 + 256
}

/// [`render`] in one piece on the calling thread: the writer's own speed,
/// for measuring it against other writers over the same parser.
pub fn render_whole(markdown: &str, context: &Context) -> Rendered {
    render_part(markdown, context, Start::default())
}

/// At most this many threads convert pieces: past a few, the parser's
/// single pass over each piece is no longer what the time goes to.
const MAX_WORKERS: usize = 4;
/// Pieces are about this size: large enough that handing one over costs
/// little against converting it, small enough that its parse tree and
/// output fit in memory the thread already has. 8, 16, 32 and 64 KiB were
/// measured on a 1 MiB RCA (wiki/Architecture.md, "Benchmarks").
const PIECE: usize = 16 * 1024;

/// Where a part of the document starts: its first line in the whole
/// Markdown, the diagrams numbered before it, and whether it is the first
/// part (which carries the severity lozenge).
#[derive(Debug, Clone, Copy)]
struct Start {
    line: usize,
    diagram: usize,
    first: bool,
}

impl Default for Start {
    fn default() -> Self {
        Start {
            line: 1,
            diagram: 0,
            first: true,
        }
    }
}

fn render_part(markdown: &str, context: &Context, start: Start) -> Rendered {
    let options = Options::ENABLE_TABLES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_GFM;
    let mut writer = Writer {
        out: String::with_capacity(output_capacity(markdown)),
        frames: Vec::new(),
        events: Events::new(Parser::new_ext(markdown, options).into_offset_iter()),
        context,
        markdown,
        diagrams: Vec::new(),
        diagrams_before: start.diagram,
        first_line: start.line,
        unresolved: Vec::new(),
        used: Default::default(),
        lines_before: (0, start.line),
    };
    if start.first {
        if let Some(severity) = &context.severity {
            extras::push_severity(&mut writer.out, severity);
        }
    }
    writer.run();
    Rendered {
        storage: writer.out,
        diagrams: writer.diagrams,
        unresolved: writer.unresolved,
        attachments_used: writer.used,
    }
}

enum Frame<'e> {
    /// Closes with this text.
    Close(&'static str),
    /// A task list (`ac:task-list`).
    TaskList,
    /// A task of a task list: its body.
    Task,
    /// A code block: text is gathered, the macro is written at the end.
    /// Boxed, like an image: the rare large frames would otherwise make
    /// every push and pop of the common ones a large copy.
    Code(Box<CodeFrame<'e>>),
    /// An image: alt text is gathered.
    Image(Box<ImageFrame<'e>>),
    /// A link whose scheme is not allowed: text only.
    Plain,
    /// A link to a page or an attachment (`ac:link`).
    RichLink,
    /// A table head row: its cells are `th`.
    Head,
    /// A paragraph whose tags are left out (inside a task body).
    Bare,
    /// A blockquote turned into an info/tip/warning macro.
    Admonition,
}

struct CodeFrame<'e> {
    language: Option<CowStr<'e>>,
    body: Gathered<'e>,
    /// Byte offset of the block in the Markdown.
    at: usize,
}

struct ImageFrame<'e> {
    target: CowStr<'e>,
    alt: Gathered<'e>,
}

/// Text gathered from the events inside a code block or an image: one
/// event's text is kept as it came, only a second one makes a copy.
#[derive(Default)]
enum Gathered<'e> {
    #[default]
    Empty,
    One(CowStr<'e>),
    Many(String),
}

impl<'e> Gathered<'e> {
    fn push(&mut self, text: CowStr<'e>) {
        match self {
            Gathered::Empty => *self = Gathered::One(text),
            Gathered::One(first) => {
                let mut many = String::with_capacity(first.len() + text.len() + 64);
                many.push_str(first);
                many.push_str(&text);
                *self = Gathered::Many(many);
            }
            Gathered::Many(many) => many.push_str(&text),
        }
    }

    fn as_str(&self) -> &str {
        match self {
            Gathered::Empty => "",
            Gathered::One(text) => text,
            Gathered::Many(text) => text,
        }
    }
}

struct Writer<'a, 'e> {
    out: String,
    frames: Vec<Frame<'e>>,
    events: Events<'e>,
    context: &'a Context,
    markdown: &'e str,
    diagrams: Vec<Diagram>,
    /// Diagrams numbered in the parts of the document before this one.
    diagrams_before: usize,
    /// The line of the whole document this part starts on.
    first_line: usize,
    unresolved: Vec<String>,
    used: std::collections::BTreeSet<String>,
    /// A byte offset in the Markdown and its 1-based line, so each
    /// diagram's line is counted from the previous one, not from the top.
    lines_before: (usize, usize),
}

impl<'a, 'e> Writer<'a, 'e> {
    fn run(&mut self) {
        let mut i = 0;
        loop {
            i = if self.events.advance_to(i) {
                // Read ahead by a lookahead: the rare path.
                match self.events.take_read_ahead() {
                    Some(event) => self.event(&event, i),
                    None => break,
                }
            } else {
                let parsed = self.events.take_parsed();
                match &parsed {
                    Some((event, _)) => self.event(event, i),
                    None => break,
                }
            };
        }
        // Balanced input gives an empty stack; close anything left anyway.
        while let Some(frame) = self.frames.pop() {
            self.close(frame);
        }
    }

    /// Where the text of a code block or an image's alt text is gathered,
    /// when inside one.
    fn gathering(&mut self) -> Option<(&mut Gathered<'e>, bool)> {
        match self.frames.last_mut() {
            Some(Frame::Code(code)) => Some((&mut code.body, true)),
            Some(Frame::Image(image)) => Some((&mut image.alt, false)),
            _ => None,
        }
    }

    /// Adds `text` to the code block or alt text being gathered.
    fn gather(&mut self, text: CowStr<'e>) {
        if let Some((gathered, _)) = self.gathering() {
            gathered.push(text);
        }
    }

    fn in_head(&self) -> bool {
        self.frames.iter().rev().any(|f| matches!(f, Frame::Head))
    }

    fn in_task(&self) -> bool {
        self.frames.iter().rev().any(|f| matches!(f, Frame::Task))
    }

    /// Handles `event`, event `i`; returns the index of the next one to
    /// handle. The event is borrowed where it lies, never moved: at the
    /// release profile's size optimisation each move of an event is a
    /// `memcpy` call, and this runs once per event.
    #[inline(always)]
    fn event(&mut self, event: &Event<'e>, i: usize) -> usize {
        // Inside a code block (true) or an image's alt text (false).
        let gathering = match self.frames.last() {
            Some(Frame::Code(_)) => Some(true),
            Some(Frame::Image(_)) => Some(false),
            _ => None,
        };
        match event {
            Event::Text(t) | Event::Code(t) | Event::Html(t) | Event::InlineHtml(t)
                if gathering.is_some() =>
            {
                self.gather(t.clone())
            }
            Event::InlineMath(t) | Event::DisplayMath(t) if gathering == Some(true) => {
                self.gather(t.clone())
            }
            Event::Text(t) => extras::push_text_with_emoji(&mut self.out, t),
            Event::InlineMath(t) | Event::DisplayMath(t) => push_text(&mut self.out, t),
            // Raw HTML is the author's text, not markup.
            Event::Html(t) | Event::InlineHtml(t) => push_text(&mut self.out, t),
            Event::Code(t) => {
                self.out.push_str("<code>");
                push_text(&mut self.out, t);
                self.out.push_str("</code>");
            }
            Event::SoftBreak => self.out.push('\n'),
            Event::HardBreak => self.out.push_str("<br/>"),
            Event::Rule => self.out.push_str("<hr/>"),
            Event::TaskListMarker(done) => {
                if self.in_task() {
                    // Already written as the task's status.
                } else {
                    self.out.push_str(if *done { "[x] " } else { "[ ] " });
                }
            }
            Event::FootnoteReference(t) => push_text(&mut self.out, &format!("[{t}]")),
            Event::Start(tag) => return self.start(tag, i),
            Event::End(_) => {
                if let Some(frame) = self.frames.pop() {
                    self.close(frame);
                }
            }
        }
        i + 1
    }

    fn open(&mut self, open: &str, close: &'static str) {
        self.out.push_str(open);
        self.frames.push(Frame::Close(close));
    }

    #[inline(always)]
    fn start(&mut self, tag: &Tag<'e>, i: usize) -> usize {
        if self.gathering().is_some() {
            // Nothing nests inside code or alt text; keep the stack balanced.
            self.frames.push(Frame::Close(""));
            return i + 1;
        }
        match tag {
            Tag::Paragraph if self.in_task() => self.frames.push(Frame::Bare),
            Tag::Paragraph => {
                if let Some(next) = extras::toc_paragraph(&mut self.events, i) {
                    extras::push_toc(&mut self.out);
                    return next;
                }
                self.open("<p>", "</p>")
            }
            Tag::Heading { level, .. } => {
                let (open, close) = heading(*level);
                self.open(open, close);
            }
            Tag::BlockQuote(kind) => return self.blockquote(*kind, i),
            Tag::CodeBlock(kind) => {
                let language = match kind {
                    CodeBlockKind::Fenced(info) => code_language(info.clone()),
                    CodeBlockKind::Indented => None,
                };
                let at = self.events.next_code_start().unwrap_or(0);
                self.frames.push(Frame::Code(Box::new(CodeFrame {
                    language,
                    body: Gathered::default(),
                    at,
                })));
            }
            Tag::List(start) => {
                if self.is_task_list(i) {
                    self.out.push_str("<ac:task-list>");
                    self.frames.push(Frame::TaskList);
                } else {
                    match start {
                        None => self.open("<ul>", "</ul>"),
                        Some(1) => self.open("<ol>", "</ol>"),
                        Some(n) => self.open(&format!("<ol start=\"{n}\">"), "</ol>"),
                    }
                }
            }
            Tag::Item => {
                if matches!(self.frames.last(), Some(Frame::TaskList)) {
                    let done = self.task_done(i);
                    self.out.push_str("<ac:task><ac:task-status>");
                    self.out
                        .push_str(if done { "complete" } else { "incomplete" });
                    self.out.push_str("</ac:task-status><ac:task-body>");
                    self.frames.push(Frame::Task);
                } else {
                    self.open("<li>", "</li>");
                }
            }
            Tag::Table(_) => self.open("<table><tbody>", "</tbody></table>"),
            Tag::TableHead => {
                self.out.push_str("<tr>");
                self.frames.push(Frame::Head);
            }
            Tag::TableRow => self.open("<tr>", "</tr>"),
            Tag::TableCell if self.in_head() => self.open("<th>", "</th>"),
            Tag::TableCell => self.open("<td>", "</td>"),
            Tag::Emphasis => self.open("<em>", "</em>"),
            Tag::Strong => self.open("<strong>", "</strong>"),
            Tag::Strikethrough => {
                self.open("<span style=\"text-decoration: line-through;\">", "</span>")
            }
            Tag::Superscript => self.open("<sup>", "</sup>"),
            Tag::Subscript => self.open("<sub>", "</sub>"),
            Tag::Link {
                dest_url, title, ..
            } => {
                if let Some(target) = link_policy::link_target(dest_url) {
                    if self.rich_link(dest_url) {
                        self.frames.push(Frame::RichLink);
                        return i + 1;
                    }
                    self.out.push_str("<a href=\"");
                    push_attr(&mut self.out, &target);
                    self.out.push('"');
                    if !title.is_empty() {
                        self.out.push_str(" title=\"");
                        push_attr(&mut self.out, title);
                        self.out.push('"');
                    }
                    self.out.push('>');
                    self.frames.push(Frame::Close("</a>"));
                } else {
                    self.frames.push(Frame::Plain);
                }
            }
            Tag::Image { dest_url, .. } => self.frames.push(Frame::Image(Box::new(ImageFrame {
                target: dest_url.clone(),
                alt: Gathered::default(),
            }))),
            // A block of raw HTML is shown as a paragraph of text.
            Tag::HtmlBlock => self.open("<p>", "</p>"),
            Tag::FootnoteDefinition(_)
            | Tag::MetadataBlock(_)
            | Tag::DefinitionList
            | Tag::DefinitionListTitle
            | Tag::DefinitionListDefinition => self.open("<div>", "</div>"),
        }
        i + 1
    }

    fn close(&mut self, frame: Frame<'e>) {
        match frame {
            Frame::Close(text) => self.out.push_str(text),
            Frame::TaskList => self.out.push_str("</ac:task-list>"),
            Frame::Task => self.out.push_str("</ac:task-body></ac:task>"),
            Frame::Code(code) if code.language.as_deref() == Some("mermaid") => {
                self.diagram(code.body.as_str(), code.at)
            }
            Frame::Code(code) => {
                push_code_macro(&mut self.out, code.language.as_deref(), code.body.as_str())
            }
            Frame::Image(image) => {
                let name = self.attachment_for(&image.target);
                push_image(
                    &mut self.out,
                    name.unwrap_or(&image.target),
                    image.alt.as_str(),
                )
            }
            Frame::Plain | Frame::Bare => {}
            Frame::RichLink => self.out.push_str("</ac:link-body></ac:link>"),
            Frame::Head => self.out.push_str("</tr>"),
            Frame::Admonition => self
                .out
                .push_str("</ac:rich-text-body></ac:structured-macro>"),
        }
    }

    /// The attachment a relative image or link destination names; a
    /// relative image that names none is recorded as unresolved.
    fn attachment_for(&mut self, target: &str) -> Option<&'a str> {
        if !context::is_relative(target) {
            return None;
        }
        let found = self.context.attachments.get(target);
        match found {
            Some(name) => {
                if !self.used.contains(name) {
                    self.used.insert(name.clone());
                }
            }
            None => self.unresolved.push(target.to_owned()),
        }
        found.map(String::as_str)
    }

    /// Writes the opening of an `ac:link` for a relative link to another
    /// published document or to one of this document's attachments;
    /// false (nothing written) for any other link.
    fn rich_link(&mut self, dest: &str) -> bool {
        if !context::is_relative(dest) {
            return false;
        }
        let out = &mut self.out;
        if let Some((page, anchor)) = self.context.page_for(dest) {
            out.push_str("<ac:link");
            if let Some(anchor) = anchor {
                out.push_str(" ac:anchor=\"");
                push_attr(out, anchor);
                out.push('"');
            }
            out.push_str("><ri:page ri:space-key=\"");
            push_attr(out, &page.space_key);
            out.push_str("\" ri:content-title=\"");
            push_attr(out, &page.title);
            out.push_str("\"/>");
        } else if let Some(name) = self.context.attachments.get(dest) {
            self.used.insert(name.clone());
            out.push_str("<ac:link><ri:attachment ri:filename=\"");
            push_attr(out, name);
            out.push_str("\"/>");
        } else {
            return false;
        }
        out.push_str("<ac:link-body>");
        true
    }

    /// A Mermaid block: a picture attached as `diagram-N.png`, its source
    /// kept beside it.
    fn diagram(&mut self, source: &str, at: usize) {
        let number = self.diagrams_before + self.diagrams.len() + 1;
        let file_name = format!("diagram-{number}.png");
        let line = self.line_of(at);
        extras::push_diagram(&mut self.out, number, &file_name, source);
        self.diagrams.push(Diagram {
            file_name,
            source: source.to_owned(),
            line,
        });
    }

    /// The 1-based line of byte offset `at`, counting on from the last
    /// offset asked for (blocks come in order).
    fn line_of(&mut self, at: usize) -> usize {
        let at = at.min(self.markdown.len());
        let (from, line) = match self.lines_before {
            (from, line) if from <= at => (from, line),
            _ => (0, self.first_line),
        };
        let line = line
            + self.markdown.as_bytes()[from..at]
                .iter()
                .filter(|b| **b == b'\n')
                .count();
        self.lines_before = (at, line);
        line
    }

    /// A list is a task list when every one of its own items starts with a
    /// task marker.
    /// Reads ahead to the end of the list (the one whose start was event
    /// `list_start`), which stays parsed for the items that follow.
    fn is_task_list(&mut self, list_start: usize) -> bool {
        let mut depth = 1usize;
        let mut items = 0usize;
        let mut tasks = 0usize;
        let mut at = list_start + 1;
        while let Some(event) = self.events.get(at) {
            match event {
                Event::Start(Tag::List(_)) => depth += 1,
                Event::End(TagEnd::List(_)) => {
                    depth -= 1;
                    if depth == 0 {
                        break;
                    }
                }
                Event::Start(Tag::Item) if depth == 1 => {
                    items += 1;
                    if self.task_marker(at).is_some() {
                        tasks += 1;
                    }
                }
                _ => {}
            }
            at += 1;
        }
        items > 0 && items == tasks
    }

    /// The marker of the item starting at `item`, if it has one.
    fn task_marker(&mut self, item: usize) -> Option<bool> {
        for at in item + 1..item + 4 {
            match self.events.get(at)? {
                Event::TaskListMarker(done) => return Some(*done),
                Event::Start(Tag::Paragraph) => continue,
                _ => return None,
            }
        }
        None
    }

    fn task_done(&mut self, item: usize) -> bool {
        self.task_marker(item).unwrap_or(false)
    }

    fn blockquote(&mut self, kind: Option<BlockQuoteKind>, i: usize) -> usize {
        let by_kind = kind.map(|k| match k {
            BlockQuoteKind::Note => "info",
            BlockQuoteKind::Important => "note",
            BlockQuoteKind::Tip => "tip",
            BlockQuoteKind::Warning | BlockQuoteKind::Caution => "warning",
        });
        // `> **Note:** …` / `> **Warning:** …`
        self.events.fill(i + 4);
        let by_label = match (
            self.events.peek(i + 1),
            self.events.peek(i + 2),
            self.events.peek(i + 3),
            self.events.peek(i + 4),
        ) {
            (
                Some(Event::Start(Tag::Paragraph)),
                Some(Event::Start(Tag::Strong)),
                Some(Event::Text(label)),
                Some(Event::End(TagEnd::Strong)),
            ) => {
                let label = label.trim().trim_end_matches(':');
                let is = |word: &str| label.eq_ignore_ascii_case(word);
                if is("note") || is("info") {
                    Some("info")
                } else if is("warning") || is("caution") {
                    Some("warning")
                } else if is("tip") {
                    Some("tip")
                } else {
                    None
                }
            }
            _ => None,
        };
        match by_kind.or(by_label) {
            Some(name) => {
                self.out.push_str("<ac:structured-macro ac:name=\"");
                self.out.push_str(name);
                self.out.push_str("\"><ac:rich-text-body>");
                self.frames.push(Frame::Admonition);
                if by_kind.is_none() && by_label.is_some() {
                    // Open the paragraph, skip the label (strong + text + end).
                    self.open("<p>", "</p>");
                    let mut next = i + 5;
                    // Drop the space after the label.
                    if let Some(Event::Text(t)) = self.events.get(next) {
                        let rest = t.trim_start();
                        push_text(&mut self.out, rest);
                        next += 1;
                    }
                    return next;
                }
                i + 1
            }
            None => {
                self.open("<blockquote>", "</blockquote>");
                i + 1
            }
        }
    }
}

/// The language of a fenced block's info string, lowercased; borrowed
/// when it already is.
fn code_language(info: CowStr<'_>) -> Option<CowStr<'_>> {
    let end = info
        .find(|c: char| c.is_whitespace() || c == ',' || c == '{')
        .unwrap_or(info.len());
    if end == 0 {
        None
    } else if info[..end].bytes().any(|b| b.is_ascii_uppercase()) {
        Some(CowStr::from(info[..end].to_ascii_lowercase()))
    } else if let CowStr::Borrowed(info) = info {
        Some(CowStr::Borrowed(&info[..end]))
    } else {
        Some(CowStr::from(info[..end].to_owned()))
    }
}

fn heading(level: HeadingLevel) -> (&'static str, &'static str) {
    match level {
        HeadingLevel::H1 => ("<h1>", "</h1>"),
        HeadingLevel::H2 => ("<h2>", "</h2>"),
        HeadingLevel::H3 => ("<h3>", "</h3>"),
        HeadingLevel::H4 => ("<h4>", "</h4>"),
        HeadingLevel::H5 => ("<h5>", "</h5>"),
        HeadingLevel::H6 => ("<h6>", "</h6>"),
    }
}

/// The `code` macro; the body is CDATA, and a `]]>` inside it is split
/// across two CDATA sections so it cannot end the first early.
fn push_code_macro(out: &mut String, language: Option<&str>, body: &str) {
    out.push_str("<ac:structured-macro ac:name=\"code\">");
    if let Some(language) = language {
        out.push_str("<ac:parameter ac:name=\"language\">");
        push_text(out, language);
        out.push_str("</ac:parameter>");
    }
    out.push_str("<ac:plain-text-body><![CDATA[");
    escape::push_cdata(out, body.trim_end_matches('\n'));
    out.push_str("]]></ac:plain-text-body></ac:structured-macro>");
}

/// An external image by URL, or an attachment of the page by file name.
fn push_image(out: &mut String, target: &str, alt: &str) {
    out.push_str("<ac:image");
    if !alt.is_empty() {
        out.push_str(" ac:alt=\"");
        push_attr(out, alt);
        out.push('"');
    }
    out.push('>');
    match link_policy::image_source(target) {
        // A scheme outside the allowlist: nothing to show.
        None => {}
        Some(url) if url.contains("://") => {
            out.push_str("<ri:url ri:value=\"");
            push_attr(out, &url);
            out.push_str("\"/>");
        }
        Some(name) => {
            out.push_str("<ri:attachment ri:filename=\"");
            push_attr(out, &name);
            out.push_str("\"/>");
        }
    }
    out.push_str("</ac:image>");
}

#[cfg(test)]
mod tests;

#[cfg(test)]
mod evidence_tests;

#[cfg(test)]
mod parts_tests;
