//! Which link and image targets may leave the Markdown.
//!
//! The check runs on the exact characters that will be written: first the
//! characters XML 1.0 forbids are dropped and tab / newline become spaces
//! (as the attribute writer does), then the scheme is read the way a
//! browser reads it. Checking before that filtering let `&#1;javascript:`
//! through: the entity decodes to U+0001, which hid the scheme from the
//! check and was then dropped on output. Anything with a scheme outside
//! the allowlist is refused; so is a colon before the first `/`, `?` or
//! `#` that does not start an allowed scheme.

use std::borrow::Cow;

/// Schemes a link may use. Relative targets and `#` anchors are allowed too.
const LINK_SCHEMES: &[&str] = &["http", "https", "mailto"];
/// Schemes an image source may use (relative: an attachment of the page).
const IMAGE_SCHEMES: &[&str] = &["http", "https"];

/// Characters XML 1.0 allows.
pub(crate) fn xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..='\u{10FFFF}')
}

/// The characters of `url` that the writers emit: XML characters only,
/// with tab, CR and LF as spaces. Borrowed when that changes nothing (the
/// usual case: no allocation per link).
fn emitted(url: &str) -> Cow<'_, str> {
    if url
        .chars()
        .all(|c| xml_char(c) && !matches!(c, '\t' | '\n' | '\r'))
    {
        return Cow::Borrowed(url);
    }
    url.chars()
        .filter(|c| xml_char(*c))
        .map(|c| {
            if matches!(c, '\t' | '\n' | '\r') {
                ' '
            } else {
                c
            }
        })
        .collect::<String>()
        .into()
}

/// The scheme of `url` as a browser's URL parser finds it (leading C0
/// controls and spaces trimmed, tab and newline removed), as written, or
/// `None` for a relative target. `Err` when a colon comes before the first
/// `/`, `?` or `#` but what precedes it is not a valid scheme. `url` holds
/// no tab, CR or LF (the output of [`emitted`]).
fn scheme_of(url: &str) -> Result<Option<&str>, ()> {
    let cleaned = url.trim_start_matches(|c: char| c <= ' ');
    let head_end = cleaned.find(['/', '?', '#']).unwrap_or(cleaned.len());
    let head = &cleaned[..head_end];
    let Some(colon) = head.find(':') else {
        return Ok(None);
    };
    let scheme = &head[..colon];
    let valid = scheme
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic())
        && scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
    if valid {
        Ok(Some(scheme))
    } else {
        Err(())
    }
}

fn allowed<'u>(url: &'u str, schemes: &[&str]) -> Option<Cow<'u, str>> {
    let out = emitted(url);
    let ok = match scheme_of(&out) {
        Ok(None) => true,
        Ok(Some(scheme)) => schemes.iter().any(|s| s.eq_ignore_ascii_case(scheme)),
        Err(()) => false,
    };
    ok.then_some(out)
}

/// The link target to write, or `None` when the link must become text.
pub(crate) fn link_target(url: &str) -> Option<Cow<'_, str>> {
    allowed(url, LINK_SCHEMES)
}

/// The image source to write, or `None` when the image must be dropped.
pub(crate) fn image_source(url: &str) -> Option<Cow<'_, str>> {
    allowed(url, IMAGE_SCHEMES)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn allowlist_after_filtering() {
        assert_eq!(
            link_target("https://x.example/a").as_deref(),
            Some("https://x.example/a")
        );
        assert!(link_target("mailto:oncall@x.example").is_some());
        assert!(link_target("#impact").is_some());
        assert!(link_target("runbooks/db.md").is_some());
        assert!(link_target("/wiki/x?a=b:c").is_some());
        for bad in [
            "javascript:alert(1)",
            "\u{1}javascript:alert(1)",
            "java\u{0}script:alert(1)",
            "java\tscript:alert(1)",
            " JavaScript:alert(1)",
            "vbscript:x",
            "data:text/html,x",
            "file:///etc/passwd",
            "java script:x",
            ":x",
        ] {
            assert_eq!(link_target(bad), None, "{bad:?}");
        }
        assert!(image_source("https://x.example/g.png").is_some());
        assert!(image_source("latency.png").is_some());
        assert_eq!(image_source("mailto:x@y"), None);
        assert_eq!(image_source("\u{1}data:image/png;base64,AA"), None);
    }
}
