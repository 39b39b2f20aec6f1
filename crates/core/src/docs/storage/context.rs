//! What a document's links and images point at when it is published, and
//! what the conversion found that needs more than text.

use std::collections::HashMap;

/// A page another document is published as.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageLink {
    pub space_key: String,
    pub title: String,
}

/// The targets of a document's relative references.
#[derive(Debug, Clone, Default)]
pub struct Context {
    /// Image or link destination as written in the Markdown → the file
    /// name of the page attachment holding it.
    pub attachments: HashMap<String, String>,
    /// File name of another document (`other-rca.md`, as it was imported)
    /// → its page; a relative link whose last path segment is that name
    /// links to the page.
    pub pages: HashMap<String, PageLink>,
    /// The incident's severity, shown as a status lozenge at the top.
    pub severity: Option<String>,
}

impl Context {
    /// The page and anchor a relative link names, if it is a published
    /// document.
    pub(super) fn page_for<'d>(&self, dest: &'d str) -> Option<(&PageLink, Option<&'d str>)> {
        let (path, anchor) = match dest.split_once('#') {
            Some((p, a)) => (p, Some(a).filter(|a| !a.is_empty())),
            None => (dest, None),
        };
        let file = path.rsplit(['/', '\\']).next().unwrap_or(path);
        self.pages.get(file).map(|page| (page, anchor))
    }
}

/// A fenced ```` ```mermaid ```` block: attached as `file_name`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagram {
    pub file_name: String,
    pub source: String,
    /// 1-based line of the opening fence in the Markdown.
    pub line: usize,
}

/// The storage body and what it needs besides text.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Rendered {
    pub storage: String,
    pub diagrams: Vec<Diagram>,
    /// Relative image destinations that no attachment holds.
    pub unresolved: Vec<String>,
    /// Attachment file names the body refers to (besides diagrams).
    pub attachments_used: std::collections::BTreeSet<String>,
}

impl Rendered {
    /// Adds the piece of the document that follows this one.
    pub(super) fn append(&mut self, next: Rendered) {
        self.storage.push_str(&next.storage);
        self.diagrams.extend(next.diagrams);
        self.unresolved.extend(next.unresolved);
        self.attachments_used.extend(next.attachments_used);
    }
}

/// A destination that is a path beside the document rather than a URL, an
/// absolute path, or an anchor on this page.
pub fn is_relative(dest: &str) -> bool {
    let dest = dest.trim();
    if dest.is_empty() || dest.starts_with(['#', '/', '\\', '?']) {
        return false;
    }
    // A scheme (`https:`, `mailto:`, `data:`) comes before any `/`.
    match dest.find(':') {
        Some(colon) => dest[..colon].contains(['/', '\\', '.', '#', '?']),
        None => true,
    }
}

#[cfg(test)]
mod tests {
    use super::is_relative;

    #[test]
    fn relative_destinations() {
        for yes in [
            "a.png",
            "img/a b.png",
            "../x.md",
            "./x.md#top",
            "dir.v2/a:b.png",
        ] {
            assert!(is_relative(yes), "{yes}");
        }
        for no in [
            "https://x.example/a.png",
            "mailto:a@b",
            "data:image/png;base64,AA",
            "/abs/a.png",
            "#anchor",
            "",
            "C:\\\\x.png",
        ] {
            assert!(!is_relative(no), "{no}");
        }
    }
}
