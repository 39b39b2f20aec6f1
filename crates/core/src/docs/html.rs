//! Markdown → HTML for services that take HTML (Azure DevOps descriptions).
//! Raw HTML in the Markdown is shown as text, never passed through: the
//! description is the responder's notes, not markup for someone's browser.

use pulldown_cmark::{html, CowStr, Event, Options, Parser};

pub fn markdown_to_html(markdown: &str) -> String {
    let options =
        Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH | Options::ENABLE_TASKLISTS;
    let events = Parser::new_ext(markdown, options).map(|event| match event {
        Event::Html(raw) | Event::InlineHtml(raw) => Event::Text(raw),
        // A task's box says what it means to a screen reader as well.
        Event::TaskListMarker(done) => Event::InlineHtml(CowStr::Borrowed(if done {
            r#"<input type="checkbox" disabled checked aria-label="done"> "#
        } else {
            r#"<input type="checkbox" disabled aria-label="not done"> "#
        })),
        // Link and image targets outside the scheme allowlist become `#`.
        Event::Start(pulldown_cmark::Tag::Link {
            link_type,
            dest_url,
            title,
            id,
        }) => Event::Start(pulldown_cmark::Tag::Link {
            link_type,
            dest_url: safe_link(dest_url),
            title,
            id,
        }),
        Event::Start(pulldown_cmark::Tag::Image {
            link_type,
            dest_url,
            title,
            id,
        }) => Event::Start(pulldown_cmark::Tag::Image {
            link_type,
            dest_url: safe_image(dest_url),
            title,
            id,
        }),
        other => other,
    });
    let mut out = String::with_capacity(markdown.len() * 3 / 2);
    html::push_html(&mut out, events);
    out
}

/// The same scheme allowlist as the storage format; a refused target
/// becomes `#`.
fn safe_link(url: CowStr<'_>) -> CowStr<'_> {
    match super::link_policy::link_target(&url) {
        Some(target) => CowStr::from(target.into_owned()),
        None => CowStr::Borrowed("#"),
    }
}

fn safe_image(url: CowStr<'_>) -> CowStr<'_> {
    match super::link_policy::image_source(&url) {
        Some(source) => CowStr::from(source.into_owned()),
        None => CowStr::Borrowed("#"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_markdown_and_escapes_raw_html() {
        let html =
            markdown_to_html("# Impact\n\nCheckout **down** <script>alert(1)</script>\n\n- a\n- b");
        assert!(html.contains("<h1>Impact</h1>"), "{html}");
        assert!(html.contains("<strong>down</strong>"));
        assert!(
            html.contains("&lt;script&gt;") && !html.contains("<script>"),
            "{html}"
        );
        assert!(html.contains("<li>a</li>"));
    }

    #[test]
    fn hidden_script_schemes_are_neutralised() {
        let html = markdown_to_html("[x](&#1;javascript:alert(1)) ![i](&#1;data:text/html,hi)");
        assert!(
            !html.contains("javascript:") && !html.contains("data:"),
            "{html}"
        );
    }

    #[test]
    fn task_boxes_are_labelled() {
        let html = markdown_to_html("- [x] roll back\n- [ ] add an alert");
        assert!(
            html.contains(
                r#"<input type="checkbox" disabled checked aria-label="done"> roll back"#
            ),
            "{html}"
        );
        assert!(
            html.contains(r#"aria-label="not done"> add an alert"#),
            "{html}"
        );
    }

    #[test]
    fn script_links_are_neutralised() {
        let html = markdown_to_html("[x](javascript:alert(1)) ![i](data:text/html,hi)");
        assert!(
            !html.contains("javascript:") && !html.contains("data:"),
            "{html}"
        );
    }
}
