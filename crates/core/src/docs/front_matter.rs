//! YAML front matter at the top of an imported Markdown file: the page's
//! `title`, `space`, `parent` and `labels`. Only that flat subset of YAML
//! is read (scalars, a `[a, b]` list, or a `- a` block list); other keys
//! are ignored, and a line that is not `key: value` is an error naming it.

use crate::error::{Error, Result};

/// Confluence refuses more than this many characters in one label.
pub const MAX_LABEL_CHARS: usize = 255;
/// Characters Confluence does not allow in a label.
const LABEL_FORBIDDEN: &[char] = &[
    '!', '#', '&', '(', ')', '*', ',', '.', ':', ';', '<', '>', '?', '@', '[', ']', '^', '/', '\\',
    '"', '\'', '|', '{', '}', '=', '+', '%', '$', '~', '`',
];

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FrontMatter {
    pub title: Option<String>,
    pub space: Option<String>,
    pub parent: Option<String>,
    pub labels: Vec<String>,
}

/// Splits `markdown` into its front matter (if it starts with `---`) and
/// the rest of the document.
pub fn split(markdown: &str) -> Result<(FrontMatter, &str)> {
    let text = markdown.strip_prefix('\u{feff}').unwrap_or(markdown);
    let Some(after_open) = text
        .strip_prefix("---\n")
        .or_else(|| text.strip_prefix("---\r\n"))
    else {
        return Ok((FrontMatter::default(), text));
    };
    let mut offset = 0;
    let mut end = None;
    for line in after_open.split_inclusive('\n') {
        let bare = line.trim_end_matches(['\n', '\r']);
        if bare == "---" || bare == "..." {
            end = Some((offset, offset + line.len()));
            break;
        }
        offset += line.len();
    }
    let Some((block_end, rest_start)) = end else {
        return Err(Error::invalid(
            "front matter",
            "starts with '---' but has no closing '---' line",
        ));
    };
    let front = parse(&after_open[..block_end])?;
    Ok((front, &after_open[rest_start..]))
}

fn parse(block: &str) -> Result<FrontMatter> {
    let mut front = FrontMatter::default();
    let mut in_labels = false;
    for (n, raw) in block.lines().enumerate() {
        let line_no = n + 2; // the opening `---` is line 1
        let line = raw.trim_end();
        if line.trim().is_empty() || line.trim_start().starts_with('#') {
            continue;
        }
        if let Some(item) = line.trim_start().strip_prefix("- ") {
            if !in_labels {
                return Err(Error::invalid(
                    "front matter",
                    format!("line {line_no}: a list item outside 'labels'"),
                ));
            }
            front.labels.push(label(scalar(item))?);
            continue;
        }
        in_labels = false;
        if line.starts_with([' ', '\t']) {
            // A nested value of a key we ignore.
            continue;
        }
        let Some((key, value)) = line.split_once(':') else {
            return Err(Error::invalid(
                "front matter",
                format!(
                    "line {line_no}: expected 'key: value', found '{}'",
                    line.trim()
                ),
            ));
        };
        let value = value.trim();
        match key.trim() {
            "title" => front.title = non_empty(scalar(value)),
            "space" => front.space = non_empty(scalar(value)),
            "parent" => front.parent = non_empty(scalar(value)),
            "labels" | "tags" => {
                if value.is_empty() {
                    in_labels = true;
                } else {
                    let inner = value
                        .strip_prefix('[')
                        .and_then(|v| v.strip_suffix(']'))
                        .unwrap_or(value);
                    for item in inner.split(',').map(scalar).filter(|s| !s.is_empty()) {
                        front.labels.push(label(item)?);
                    }
                }
            }
            _ => {}
        }
    }
    dedup(&mut front.labels);
    Ok(front)
}

/// A scalar without its quotes.
fn scalar(value: &str) -> String {
    let v = value.trim();
    for quote in ['"', '\''] {
        if let Some(inner) = v.strip_prefix(quote).and_then(|v| v.strip_suffix(quote)) {
            return inner.to_owned();
        }
    }
    // An unquoted scalar ends at a ` #` comment.
    v.split(" #").next().unwrap_or(v).trim().to_owned()
}

fn non_empty(s: String) -> Option<String> {
    (!s.is_empty()).then_some(s)
}

/// A label as Confluence stores it (lower case), or an error saying why
/// Confluence would refuse it.
pub fn label(name: impl AsRef<str>) -> Result<String> {
    let name = name.as_ref().trim();
    if name.is_empty() {
        return Err(Error::invalid("labels", "a label must not be empty"));
    }
    if name.chars().count() > MAX_LABEL_CHARS {
        return Err(Error::invalid(
            "labels",
            format!("'{name}' is longer than {MAX_LABEL_CHARS} characters"),
        ));
    }
    if let Some(bad) = name
        .chars()
        .find(|c| c.is_whitespace() || c.is_control() || LABEL_FORBIDDEN.contains(c))
    {
        return Err(Error::invalid(
            "labels",
            format!(
                "'{name}' contains '{}', which Confluence does not allow in a label (use - or _)",
                bad.escape_default()
            ),
        ));
    }
    Ok(name.to_lowercase())
}

/// Validates and normalises a list of labels, dropping repeats.
pub fn labels<S: AsRef<str>>(names: &[S]) -> Result<Vec<String>> {
    let mut out = names.iter().map(label).collect::<Result<Vec<_>>>()?;
    dedup(&mut out);
    Ok(out)
}

fn dedup(labels: &mut Vec<String>) {
    let mut seen = std::collections::HashSet::new();
    labels.retain(|l| seen.insert(l.clone()));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_four_fields_and_returns_the_rest() {
        let (front, rest) = split(
            "---\ntitle: \"RCA: checkout\"\nspace: OPS\nparent: '12345'\nlabels: [rca, Payments]\nauthor: ana\n---\n# Body\n",
        )
        .unwrap();
        assert_eq!(front.title.as_deref(), Some("RCA: checkout"));
        assert_eq!(front.space.as_deref(), Some("OPS"));
        assert_eq!(front.parent.as_deref(), Some("12345"));
        assert_eq!(front.labels, vec!["rca", "payments"]);
        assert_eq!(rest, "# Body\n");
    }

    #[test]
    fn block_lists_and_no_front_matter() {
        let (front, rest) = split("---\nlabels:\n  - rca\n  - p1\n  - rca\n---\ntext").unwrap();
        assert_eq!(front.labels, vec!["rca", "p1"]);
        assert_eq!(rest, "text");
        let (front, rest) = split("# Just text\n---\n").unwrap();
        assert_eq!(front, FrontMatter::default());
        assert_eq!(rest, "# Just text\n---\n");
    }

    #[test]
    fn refuses_what_confluence_refuses_naming_the_field() {
        let err = split("---\nlabels: [has space]\n---\n").unwrap_err();
        assert!(err.to_string().contains("invalid labels"), "{err}");
        let err = split("---\nlabels: [a:b]\n---\n").unwrap_err();
        assert!(err.to_string().contains("':'"), "{err}");
        let err = split("---\ntitle: x\n").unwrap_err();
        assert!(err.to_string().contains("front matter"), "{err}");
        let err = split("---\njust words\n---\n").unwrap_err();
        assert!(err.to_string().contains("line 2"), "{err}");
        assert!(label("x".repeat(256)).is_err());
    }
}
