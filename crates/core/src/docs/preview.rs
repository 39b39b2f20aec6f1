//! The editor's live preview: the document as safe HTML with its assets
//! and diagrams shown as they will be published — an image that names an
//! asset shows that asset's bytes, and a Mermaid block shows the very PNG
//! the publish attaches (same renderer, same fonts, same size).

use std::collections::HashMap;
use std::sync::Mutex;

use base64::Engine as _;
use pulldown_cmark::{html, CodeBlockKind, CowStr, Event, Options, Parser, Tag, TagEnd};

use super::link_policy;
use super::mermaid;
use super::storage::{is_relative, push_text};
use crate::app::Core;
use crate::error::Result;
use crate::store::assets as repo;

/// Rendered diagrams by source, so typing elsewhere does not redraw them.
fn cached_png(source: &str) -> std::result::Result<String, String> {
    static CACHE: Mutex<Option<HashMap<String, std::result::Result<String, String>>>> =
        Mutex::new(None);
    let mut guard = CACHE.lock().unwrap_or_else(|p| p.into_inner());
    let cache = guard.get_or_insert_with(HashMap::new);
    if let Some(hit) = cache.get(source) {
        return hit.clone();
    }
    let made = mermaid::render(source, "diagram")
        .map(|r| {
            format!(
                "data:image/png;base64,{}",
                base64::engine::general_purpose::STANDARD.encode(r.png)
            )
        })
        .map_err(|e| e.to_string());
    if cache.len() > 64 {
        cache.clear();
    }
    cache.insert(source.to_owned(), made.clone());
    made
}

impl Core {
    /// `markdown` (the editor's current text for document `id`) as HTML.
    pub fn preview_document(&self, id: &str, markdown: &str) -> Result<String> {
        let doc = self.find_document(id)?;
        let mut images: HashMap<String, String> = HashMap::new();
        for asset in repo::list(self.db(), &doc.id)? {
            if !asset.media_type.starts_with("image/") || asset.media_type == "image/svg+xml" {
                continue;
            }
            if let Some(bytes) = repo::blob(self.db(), &asset.sha256)? {
                let url = format!(
                    "data:{};base64,{}",
                    asset.media_type,
                    base64::engine::general_purpose::STANDARD.encode(bytes)
                );
                images.insert(asset.reference.clone(), url.clone());
                images.insert(asset.name, url);
            }
        }
        Ok(preview_html(markdown, &images))
    }
}

/// The preview HTML; `images` maps a relative destination to a data URL.
pub fn preview_html(markdown: &str, images: &HashMap<String, String>) -> String {
    let options = Options::ENABLE_TABLES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_GFM;
    let mut events = Vec::new();
    let mut diagram: Option<String> = None;
    let mut diagrams = 0;
    for event in Parser::new_ext(markdown, options) {
        if let Some(source) = diagram.as_mut() {
            match event {
                Event::Text(t) => source.push_str(&t),
                Event::End(TagEnd::CodeBlock) => {
                    diagrams += 1;
                    let source = diagram.take().unwrap_or_default();
                    let mut out = String::new();
                    match cached_png(&source) {
                        Ok(url) => {
                            out.push_str("<figure class=\"diagram\"><img alt=\"Diagram ");
                            out.push_str(&diagrams.to_string());
                            out.push_str("\" src=\"");
                            out.push_str(&url);
                            out.push_str("\"></figure>");
                        }
                        Err(message) => {
                            out.push_str("<pre class=\"diagram-error\" role=\"alert\">");
                            push_text(&mut out, &message);
                            out.push_str("</pre>");
                        }
                    }
                    events.push(Event::Html(CowStr::from(out)));
                }
                _ => {}
            }
            continue;
        }
        let event = match event {
            Event::Start(Tag::CodeBlock(CodeBlockKind::Fenced(info)))
                if info.split_whitespace().next() == Some("mermaid") =>
            {
                diagram = Some(String::new());
                continue;
            }
            // Raw HTML is the author's text, not markup.
            Event::Html(raw) | Event::InlineHtml(raw) => Event::Text(raw),
            // A task's box says what it means to a screen reader as well.
            Event::TaskListMarker(done) => Event::InlineHtml(CowStr::Borrowed(if done {
                r#"<input type="checkbox" disabled checked aria-label="done"> "#
            } else {
                r#"<input type="checkbox" disabled aria-label="not done"> "#
            })),
            Event::Start(Tag::Image {
                link_type,
                dest_url,
                title,
                id,
            }) => {
                let dest_url = match images.get(dest_url.as_ref()) {
                    Some(data) if is_relative(&dest_url) => CowStr::from(data.clone()),
                    _ => match link_policy::image_source(&dest_url) {
                        Some(url) => CowStr::from(url.into_owned()),
                        None => CowStr::Borrowed("#"),
                    },
                };
                Event::Start(Tag::Image {
                    link_type,
                    dest_url,
                    title,
                    id,
                })
            }
            Event::Start(Tag::Link {
                link_type,
                dest_url,
                title,
                id,
            }) => Event::Start(Tag::Link {
                link_type,
                dest_url: match link_policy::link_target(&dest_url) {
                    Some(url) => CowStr::from(url.into_owned()),
                    None => CowStr::Borrowed("#"),
                },
                title,
                id,
            }),
            other => other,
        };
        events.push(event);
    }
    let mut out = String::with_capacity(markdown.len() * 3 / 2);
    html::push_html(&mut out, events.into_iter());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn assets_and_diagrams_show_as_published() {
        let mut images = HashMap::new();
        images.insert(
            "img/a.png".to_owned(),
            "data:image/png;base64,AAAA".to_owned(),
        );
        let html = preview_html(
            "![a](img/a.png) ![x](data:text/html,hi)\n\n```mermaid\nflowchart LR\n  A-->B\n```\n\n<script>x</script>",
            &images,
        );
        assert!(
            html.contains("src=\"data:image/png;base64,AAAA\""),
            "{html}"
        );
        assert!(!html.contains("data:text/html"), "{html}");
        assert!(
            html.contains(
                "<figure class=\"diagram\"><img alt=\"Diagram 1\" src=\"data:image/png;base64,"
            ),
            "{html}"
        );
        assert!(
            html.contains("&lt;script&gt;") && !html.contains("<script>"),
            "{html}"
        );
        let png = mermaid::render("flowchart LR\n  A-->B\n", "d").unwrap().png;
        let encoded = base64::engine::general_purpose::STANDARD.encode(png);
        assert!(
            html.contains(&encoded),
            "the preview shows the published PNG"
        );
    }

    #[test]
    fn task_boxes_in_the_preview_are_labelled() {
        let html = preview_html("- [ ] page on-call\n- [x] roll back\n", &HashMap::new());
        assert!(
            html.contains(r#"<input type="checkbox" disabled aria-label="not done">"#),
            "{html}"
        );
        assert!(
            html.contains(r#"<input type="checkbox" disabled checked aria-label="done">"#),
            "{html}"
        );
    }

    #[test]
    fn a_broken_diagram_shows_its_error() {
        let html = preview_html(
            "```mermaid\nflowchart LR\n  A -->\n  --> B\n```\n",
            &HashMap::new(),
        );
        assert!(html.contains("diagram-error"), "{html}");
        assert!(html.contains("Mermaid does not parse"), "{html}");
    }
}
