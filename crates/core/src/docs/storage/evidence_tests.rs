//! Attachments, diagrams, page links, alerts, TOC, emoji and severity.

use super::tests::well_formed;
use super::{render, Context, PageLink};

pub(super) fn context() -> Context {
    let mut c = Context::default();
    c.attachments
        .insert("img/error rate.png".into(), "error rate.png".into());
    c.attachments
        .insert("logs/run.log".into(), "run.log".into());
    c.pages.insert(
        "timeline.md".into(),
        PageLink {
            space_key: "OPS".into(),
            title: "Timeline & <notes>".into(),
        },
    );
    c
}

#[test]
fn images_reference_exactly_the_attachment_names() {
    let out = render(
        "![Errors](<img/error rate.png>) ![](missing.png) ![ext](https://x.example/a.png)",
        &context(),
    );
    well_formed(&out.storage).unwrap();
    assert!(out.storage.contains(
        "<ac:image ac:alt=\"Errors\"><ri:attachment ri:filename=\"error rate.png\"/></ac:image>"
    ));
    assert_eq!(out.unresolved, vec!["missing.png"]);
    assert_eq!(
        out.attachments_used.iter().collect::<Vec<_>>(),
        vec!["error rate.png"]
    );
}

#[test]
fn relative_links_become_page_and_attachment_links() {
    let out = render(
        "See [the timeline](../rca/timeline.md#t0) and [the log](logs/run.log), not [x](other.md).",
        &context(),
    );
    well_formed(&out.storage).unwrap();
    assert!(out.storage.contains(
        "<ac:link ac:anchor=\"t0\"><ri:page ri:space-key=\"OPS\" ri:content-title=\"Timeline &amp; &lt;notes&gt;\"/><ac:link-body>the timeline</ac:link-body></ac:link>"
    ), "{}", out.storage);
    assert!(out.storage.contains(
        "<ac:link><ri:attachment ri:filename=\"run.log\"/><ac:link-body>the log</ac:link-body></ac:link>"
    ));
    assert!(out.storage.contains("<a href=\"other.md\">x</a>"));
}

#[test]
fn mermaid_blocks_become_attached_pictures_with_their_source() {
    let md = "# T\n\n```mermaid\nflowchart LR\n  A-->B\n```\n\ntext\n\n```mermaid\nsequenceDiagram\n  A->>B: ]]> hi\n```\n";
    let out = render(md, &Context::default());
    well_formed(&out.storage).unwrap();
    assert_eq!(out.diagrams.len(), 2);
    assert_eq!(out.diagrams[0].file_name, "diagram-1.png");
    assert_eq!(out.diagrams[0].line, 3);
    assert_eq!(out.diagrams[1].line, 10);
    assert_eq!(out.diagrams[1].source, "sequenceDiagram\n  A->>B: ]]> hi\n");
    assert!(out
        .storage
        .contains("<ri:attachment ri:filename=\"diagram-2.png\"/>"));
    assert!(out
        .storage
        .contains("<ac:structured-macro ac:name=\"expand\">"));
    assert!(out.storage.contains("]]]]><![CDATA[>"));
}

#[test]
fn hostile_mermaid_cannot_inject_markup_into_the_page() {
    let md = "```mermaid\nflowchart LR\n  A[\"<script>alert(1)</script>\"] --> B[\"]]></ac:plain-text-body><script>x</script>\"]\n```\n";
    let out = render(md, &Context::default());
    well_formed(&out.storage).unwrap();
    // The only text outside CDATA is ours; the source sits inside CDATA,
    // with its `]]>` split so it cannot close the section.
    let outside_cdata: String = out
        .storage
        .split("<![CDATA[")
        .map(|chunk| {
            chunk
                .split_once("]]>")
                .map(|(_, after)| after)
                .unwrap_or(chunk)
        })
        .collect();
    assert!(!outside_cdata.contains("<script"), "{}", out.storage);
    let svg = crate::docs::mermaid::to_svg(&out.diagrams[0].source, "diagram 1").unwrap();
    assert!(!svg.to_ascii_lowercase().contains("<script"), "{svg}");
}

#[test]
fn alerts_map_to_the_four_macros() {
    for (kind, name) in [
        ("NOTE", "info"),
        ("TIP", "tip"),
        ("IMPORTANT", "note"),
        ("WARNING", "warning"),
        ("CAUTION", "warning"),
    ] {
        let out = render(&format!("> [!{kind}]\n> text"), &Context::default());
        assert_eq!(
            out.storage,
            format!("<ac:structured-macro ac:name=\"{name}\"><ac:rich-text-body><p>text</p></ac:rich-text-body></ac:structured-macro>")
        );
    }
}

#[test]
fn toc_emoji_and_severity() {
    let c = Context {
        severity: Some("P1".into()),
        ..Context::default()
    };
    let out = render(
        "[[_TOC_]]\n\n[TOC]\n\nFixed :rocket: at 10:02:03 :not_an_emoji: `:fire:`",
        &c,
    );
    well_formed(&out.storage).unwrap();
    assert_eq!(
        out.storage,
        "<p><strong>Severity</strong> <ac:structured-macro ac:name=\"status\"><ac:parameter ac:name=\"colour\">Red</ac:parameter><ac:parameter ac:name=\"title\">P1</ac:parameter></ac:structured-macro></p>\
         <ac:structured-macro ac:name=\"toc\"/><ac:structured-macro ac:name=\"toc\"/>\
         <p>Fixed 🚀 at 10:02:03 :not_an_emoji: <code>:fire:</code></p>"
    );
    // Not alone in its paragraph: left as text.
    assert_eq!(
        render("see [TOC] here", &Context::default()).storage,
        "<p>see [TOC] here</p>"
    );
}
