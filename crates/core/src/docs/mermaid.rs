//! Mermaid diagrams rendered on this machine: the strict parser and layout
//! of `mermaid-rs-renderer` to SVG, then `resvg` to PNG — no browser.
//!
//! The system font database is loaded once per process (the first load
//! costs tens of milliseconds); without any font, text would silently drop
//! out of the PNG, so a picture whose labels did not turn into glyphs is an
//! error, not an upload.

use std::sync::{Arc, OnceLock};

use mermaid_rs_renderer::{render_strict, RenderOptions};
use resvg::tiny_skia;
use resvg::usvg::{self, fontdb, Node};

use crate::error::{Error, Result};

/// A diagram bigger than this (in pixels on either side) is refused rather
/// than allocating a huge bitmap.
pub const MAX_SIDE_PX: u32 = 8192;
/// Rendered at twice the SVG's size, so the picture stays sharp on a page.
const SCALE: f32 = 2.0;

/// One diagram, ready to attach: its PNG and the SVG it was drawn from.
#[derive(Debug, Clone)]
pub struct Rendered {
    pub svg: String,
    pub png: Vec<u8>,
}

fn fonts() -> Arc<fontdb::Database> {
    static FONTS: OnceLock<Arc<fontdb::Database>> = OnceLock::new();
    FONTS
        .get_or_init(|| {
            let mut db = fontdb::Database::new();
            db.load_system_fonts();
            Arc::new(db)
        })
        .clone()
}

/// The Mermaid text as SVG, or an error naming the line and column where
/// the parser stopped. `field` names the diagram for the message.
pub fn to_svg(source: &str, field: &str) -> Result<String> {
    let svg = render_strict(source, RenderOptions::default())
        .map_err(|e| Error::invalid(field, format!("Mermaid does not parse: {e}")))?;
    check_svg(&svg, field)?;
    Ok(svg)
}

/// Refuses an SVG that carries active content. The renderer escapes label
/// text, so this never fires on its output; it is the last check before an
/// SVG is shown or uploaded. Only markup is checked: text is escaped, so a
/// `<` starts a tag.
pub fn check_svg(svg: &str, field: &str) -> Result<()> {
    let refuse = |what: &str| {
        Err(Error::invalid(
            field,
            format!("the rendered diagram contains {what}; refusing to use it"),
        ))
    };
    let mut rest = svg;
    while let Some(open) = rest.find('<') {
        let after = &rest[open + 1..];
        let close = after.find('>').unwrap_or(after.len());
        let tag = after[..close].to_ascii_lowercase();
        let name: String = tag
            .trim_start_matches('/')
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == ':' || *c == '-')
            .collect();
        if matches!(
            name.as_str(),
            "script" | "foreignobject" | "iframe" | "object" | "embed"
        ) {
            return refuse(&format!("a <{name}> element"));
        }
        if tag.contains("javascript:") {
            return refuse("a javascript: URL");
        }
        let bytes = tag.as_bytes();
        for (i, _) in tag.match_indices("on") {
            let before = i.checked_sub(1).map(|b| bytes[b]);
            if !matches!(before, Some(b' ' | b'\t' | b'\n' | b'\r' | b'/')) {
                continue;
            }
            let len = bytes[i + 2..]
                .iter()
                .take_while(|b| b.is_ascii_alphabetic())
                .count();
            let mut j = i + 2 + len;
            while bytes.get(j).is_some_and(|b| b.is_ascii_whitespace()) {
                j += 1;
            }
            if len > 0 && bytes.get(j) == Some(&b'=') {
                return refuse("an event handler attribute");
            }
        }
        rest = &after[close.min(after.len())..];
    }
    Ok(())
}

/// Draws `svg` as a PNG with the system fonts.
pub fn to_png(svg: &str, field: &str) -> Result<Vec<u8>> {
    let fonts = fonts();
    if fonts.is_empty() {
        return Err(Error::invalid(
            field,
            "no system fonts are installed, so the diagram's labels cannot be drawn (install fonts-dejavu-core)",
        ));
    }
    let options = usvg::Options {
        fontdb: fonts,
        ..usvg::Options::default()
    };
    let tree = usvg::Tree::from_str(svg, &options)
        .map_err(|e| Error::invalid(field, format!("the rendered SVG does not load: {e}")))?;
    if let Some(lost) = lost_text(tree.root()) {
        return Err(Error::invalid(
            field,
            format!("the label '{lost}' could not be drawn with the installed fonts"),
        ));
    }
    let size = tree.size();
    let width = (size.width() * SCALE).ceil() as u32;
    let height = (size.height() * SCALE).ceil() as u32;
    if width == 0 || height == 0 || width > MAX_SIDE_PX || height > MAX_SIDE_PX {
        return Err(Error::invalid(
            field,
            format!("the diagram would be {width}×{height} pixels (at most {MAX_SIDE_PX} a side)"),
        ));
    }
    let mut pixmap = tiny_skia::Pixmap::new(width, height)
        .ok_or_else(|| Error::invalid(field, "cannot allocate the picture"))?;
    pixmap.fill(tiny_skia::Color::WHITE);
    resvg::render(
        &tree,
        tiny_skia::Transform::from_scale(SCALE, SCALE),
        &mut pixmap.as_mut(),
    );
    pixmap
        .encode_png()
        .map_err(|e| Error::invalid(field, format!("cannot encode the PNG: {e}")))
}

/// The first text whose glyphs came out empty (no font had them).
fn lost_text(group: &usvg::Group) -> Option<String> {
    for node in group.children() {
        match node {
            Node::Group(g) => {
                if let Some(t) = lost_text(g) {
                    return Some(t);
                }
            }
            Node::Text(text) => {
                let said: String = text.chunks().iter().map(|c| c.text()).collect::<String>();
                if !said.trim().is_empty() && text.flattened().children().is_empty() {
                    return Some(said);
                }
            }
            Node::Path(_) | Node::Image(_) => {}
        }
    }
    None
}

/// SVG and PNG of one diagram.
pub fn render(source: &str, field: &str) -> Result<Rendered> {
    let svg = to_svg(source, field)?;
    let png = to_png(&svg, field)?;
    Ok(Rendered { svg, png })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_a_flowchart_to_svg_and_png() {
        let r = render("flowchart LR\n  A[Deploy] --> B[Errors]\n", "diagram").unwrap();
        assert!(r.svg.contains("<svg"), "{}", r.svg);
        assert!(r.svg.contains("Deploy"));
        assert_eq!(&r.png[..8], b"\x89PNG\r\n\x1a\n");
    }

    #[test]
    fn labels_become_glyphs_in_the_png() {
        // The same shape with and without label text: if fonts were
        // missing, both would rasterise to the same pixels.
        let with = to_png(
            &to_svg("flowchart LR\n  A[Checkout] --> B[Payments]\n", "d").unwrap(),
            "d",
        )
        .unwrap();
        let svg = to_svg("flowchart LR\n  A[Checkout] --> B[Payments]\n", "d").unwrap();
        let blank = svg.replace(">Checkout<", "><").replace(">Payments<", "><");
        assert_ne!(svg, blank, "the labels are text elements in the SVG");
        let without = to_png(&blank, "d").unwrap();
        assert_ne!(with, without, "labels changed nothing in the picture");
        let tree = usvg::Tree::from_str(
            &svg,
            &usvg::Options {
                fontdb: fonts(),
                ..usvg::Options::default()
            },
        )
        .unwrap();
        assert_eq!(lost_text(tree.root()), None);
    }

    #[test]
    fn a_parse_error_names_line_and_column() {
        let err = to_svg("flowchart LR\n  A --> \n  --> B\n", "diagram 1").unwrap_err();
        let text = err.to_string();
        assert!(
            text.starts_with("invalid diagram 1: Mermaid does not parse"),
            "{text}"
        );
        assert!(text.contains(':'), "{text}");
        assert!(
            text.chars().any(|c| c.is_ascii_digit()),
            "a line number is named: {text}"
        );
    }

    #[test]
    fn hostile_labels_are_text_not_markup() {
        let svg = to_svg(
            "flowchart LR\n  A[\"<script>alert(1)</script>\"] --> B[\"]]><svg onload=alert(1)>\"]\n",
            "d",
        )
        .unwrap();
        let lower = svg.to_ascii_lowercase();
        assert!(!lower.contains("<script"), "{svg}");
        assert!(!lower.contains("<svg onload"), "{svg}");
        assert!(check_svg(&svg, "d").is_ok());
        assert!(check_svg("<svg><script>x</script></svg>", "d").is_err());
        assert!(check_svg("<svg><g onclick=\"x\"/></svg>", "d").is_err());
    }
}
