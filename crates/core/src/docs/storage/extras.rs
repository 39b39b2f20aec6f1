//! Confluence-only constructs: the severity lozenge, the table of
//! contents, emoji shortcodes, and a diagram as picture plus source.

use pulldown_cmark::{Event, Tag, TagEnd};

use super::escape::{push_attr, push_cdata, push_text};
use super::events::Events;

/// `P1` … `P4` (or any short text) as a status lozenge in its own
/// paragraph at the top of the page.
pub(super) fn push_severity(out: &mut String, severity: &str) {
    let colour = match severity.trim().to_ascii_uppercase().as_str() {
        "P1" | "SEV1" | "CRITICAL" => "Red",
        "P2" | "SEV2" | "HIGH" => "Yellow",
        "P3" | "SEV3" | "MODERATE" => "Blue",
        _ => "Grey",
    };
    out.push_str("<p><strong>Severity</strong> <ac:structured-macro ac:name=\"status\"><ac:parameter ac:name=\"colour\">");
    out.push_str(colour);
    out.push_str("</ac:parameter><ac:parameter ac:name=\"title\">");
    push_text(out, severity.trim());
    out.push_str("</ac:parameter></ac:structured-macro></p>");
}

pub(super) fn push_toc(out: &mut String) {
    out.push_str("<ac:structured-macro ac:name=\"toc\"/>");
}

/// When the paragraph starting at event `start` is only `[[_TOC_]]` or
/// `[TOC]`, the index of the event after its end.
pub(super) fn toc_paragraph(events: &mut Events<'_>, start: usize) -> Option<usize> {
    // `[[_TOC_]]` parses as text, emphasis, text: at most a handful of events.
    match events.get(start + 1) {
        Some(Event::Text(t)) if t.starts_with('[') => {}
        _ => return None,
    }
    let mut text = String::new();
    for offset in 0..8 {
        match events.get(start + 1 + offset)? {
            Event::Text(t) => text.push_str(t),
            Event::Start(Tag::Emphasis) | Event::End(TagEnd::Emphasis) => text.push('_'),
            Event::End(TagEnd::Paragraph) => {
                return matches!(text.trim(), "[[_TOC_]]" | "[TOC]" | "[toc]")
                    .then_some(start + 1 + offset + 1);
            }
            _ => return None,
        }
    }
    None
}

/// Text with `:shortcode:` emoji turned into the characters.
pub(super) fn push_text_with_emoji(out: &mut String, text: &str) {
    if !text.as_bytes().contains(&b':') {
        push_text(out, text);
        return;
    }
    let mut rest = text;
    while let Some(open) = rest.find(':') {
        let after = &rest[open + 1..];
        let name_len = after
            .bytes()
            .take(64)
            .take_while(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'+' | b'-'))
            .count();
        if name_len > 0 && after.as_bytes().get(name_len) == Some(&b':') {
            if let Some(emoji) = emojis::get_by_shortcode(&after[..name_len]) {
                push_text(out, &rest[..open]);
                out.push_str(emoji.as_str());
                rest = &after[name_len + 1..];
                continue;
            }
        }
        push_text(out, &rest[..open + 1]);
        rest = after;
    }
    push_text(out, rest);
}

/// A diagram: the attached picture, then its Mermaid source folded in an
/// expand macro so the next edit starts from text.
pub(super) fn push_diagram(out: &mut String, number: usize, file_name: &str, source: &str) {
    out.push_str("<p><ac:image ac:alt=\"Diagram ");
    out.push_str(&number.to_string());
    out.push_str("\"><ri:attachment ri:filename=\"");
    push_attr(out, file_name);
    out.push_str("\"/></ac:image></p>");
    out.push_str("<ac:structured-macro ac:name=\"expand\"><ac:parameter ac:name=\"title\">Diagram source (Mermaid)</ac:parameter><ac:rich-text-body>");
    out.push_str("<ac:structured-macro ac:name=\"code\"><ac:plain-text-body><![CDATA[");
    push_cdata(out, source.trim_end_matches('\n'));
    out.push_str(
        "]]></ac:plain-text-body></ac:structured-macro></ac:rich-text-body></ac:structured-macro>",
    );
}
