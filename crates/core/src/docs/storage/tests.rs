use super::markdown_to_storage as convert;

/// Parses the fragment as XML, with the Confluence namespaces declared.
pub(crate) fn well_formed(fragment: &str) -> Result<(), String> {
    let doc = format!(
        "<root xmlns:ac=\"http://atlassian.com/content\" xmlns:ri=\"http://atlassian.com/resource/identifier\">{fragment}</root>"
    );
    roxmltree::Document::parse(&doc)
        .map(|_| ())
        .map_err(|e| format!("{e}\n{fragment}"))
}

fn check(markdown: &str) -> String {
    let out = convert(markdown);
    well_formed(&out).unwrap();
    out
}

#[test]
fn headings_paragraphs_and_inline_styles() {
    assert_eq!(check("# Title\n\nText"), "<h1>Title</h1><p>Text</p>");
    assert_eq!(check("###### Six"), "<h6>Six</h6>");
    assert_eq!(
        check("*a* **b** ~~c~~ `d<e>`"),
        "<p><em>a</em> <strong>b</strong> <span style=\"text-decoration: line-through;\">c</span> <code>d&lt;e&gt;</code></p>"
    );
    assert_eq!(check("a  \nb"), "<p>a<br/>b</p>");
    assert_eq!(check("---"), "<hr/>");
}

#[test]
fn links_and_images() {
    assert_eq!(
        check("[Runbook](https://x.example/a?b=1&c=\"2\" \"T\")"),
        "<p><a href=\"https://x.example/a?b=1&amp;c=&quot;2&quot;\" title=\"T\">Runbook</a></p>"
    );
    assert_eq!(check("[x](javascript:alert(1))"), "<p>x</p>");
    assert_eq!(
        check("![Graph <1>](https://x.example/g.png)"),
        "<p><ac:image ac:alt=\"Graph &lt;1&gt;\"><ri:url ri:value=\"https://x.example/g.png\"/></ac:image></p>"
    );
    assert_eq!(
        check("![](latency.png)"),
        "<p><ac:image><ri:attachment ri:filename=\"latency.png\"/></ac:image></p>"
    );
}

#[test]
fn lists_nested_ordered_and_tasks() {
    assert_eq!(
        check("- a\n  - b\n- c"),
        "<ul><li>a<ul><li>b</li></ul></li><li>c</li></ul>"
    );
    assert_eq!(
        check("3. x\n4. y"),
        "<ol start=\"3\"><li>x</li><li>y</li></ol>"
    );
    assert_eq!(
        check("- [ ] Add alert\n- [x] Roll back"),
        "<ac:task-list><ac:task><ac:task-status>incomplete</ac:task-status><ac:task-body>Add alert</ac:task-body></ac:task>\
         <ac:task><ac:task-status>complete</ac:task-status><ac:task-body>Roll back</ac:task-body></ac:task></ac:task-list>"
    );
    // A list mixing tasks and plain items stays a list.
    assert_eq!(check("- [ ] a\n- b"), "<ul><li>[ ] a</li><li>b</li></ul>");
}

#[test]
fn tables_have_a_header_row() {
    assert_eq!(
        check("| Owner | Due |\n|---|---|\n| Ana | 2026-12-01 |"),
        "<table><tbody><tr><th>Owner</th><th>Due</th></tr><tr><td>Ana</td><td>2026-12-01</td></tr></tbody></table>"
    );
}

#[test]
fn code_blocks_become_the_code_macro_with_safe_cdata() {
    assert_eq!(
        check("```rust\nlet x = \"]]>\";\n```"),
        "<ac:structured-macro ac:name=\"code\"><ac:parameter ac:name=\"language\">rust</ac:parameter>\
         <ac:plain-text-body><![CDATA[let x = \"]]]]><![CDATA[>\";]]></ac:plain-text-body></ac:structured-macro>"
    );
    assert_eq!(
        check("    indented <b>\n"),
        "<ac:structured-macro ac:name=\"code\"><ac:plain-text-body><![CDATA[indented <b>]]></ac:plain-text-body></ac:structured-macro>"
    );
}

#[test]
fn blockquotes_notes_and_warnings() {
    assert_eq!(check("> quoted"), "<blockquote><p>quoted</p></blockquote>");
    assert_eq!(
        check("> **Note:** read this"),
        "<ac:structured-macro ac:name=\"info\"><ac:rich-text-body><p>read this</p></ac:rich-text-body></ac:structured-macro>"
    );
    assert_eq!(
        check("> **Warning:** careful\n> more"),
        "<ac:structured-macro ac:name=\"warning\"><ac:rich-text-body><p>careful\nmore</p></ac:rich-text-body></ac:structured-macro>"
    );
    assert_eq!(
        check("> [!WARNING]\n> GFM alert"),
        "<ac:structured-macro ac:name=\"warning\"><ac:rich-text-body><p>GFM alert</p></ac:rich-text-body></ac:structured-macro>"
    );
}

#[test]
fn raw_html_is_text_and_bad_characters_are_dropped() {
    assert_eq!(
        check("<script>alert(1)</script>"),
        "<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>"
    );
    assert_eq!(
        check("a <b>x</b> & c"),
        "<p>a &lt;b&gt;x&lt;/b&gt; &amp; c</p>"
    );
    assert_eq!(
        check("bell\u{7} and \u{FFFF} gone"),
        "<p>bell and  gone</p>"
    );
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(512))]

    /// Any text at all converts to well-formed XML.
    #[test]
    fn any_text_is_well_formed(s in "\\PC*") {
        let out = convert(&s);
        proptest::prop_assert!(well_formed(&out).is_ok(), "{}", well_formed(&out).unwrap_err());
    }

    /// Markdown-shaped input (structures mixed at random) too.
    #[test]
    fn markdown_shaped_input_is_well_formed(parts in proptest::collection::vec(proptest::prop_oneof![
        proptest::strategy::Just("# ".to_owned()),
        proptest::strategy::Just("- [ ] ".to_owned()),
        proptest::strategy::Just("- [x] ".to_owned()),
        proptest::strategy::Just("1. ".to_owned()),
        proptest::strategy::Just("  - ".to_owned()),
        proptest::strategy::Just("```rust\n".to_owned()),
        proptest::strategy::Just("```".to_owned()),
        proptest::strategy::Just("]]>".to_owned()),
        proptest::strategy::Just("<b>".to_owned()),
        proptest::strategy::Just("| a | b |\n|---|---|\n| c | d |\n".to_owned()),
        proptest::strategy::Just("> **Note:** ".to_owned()),
        proptest::strategy::Just("> [!TIP]\n> ".to_owned()),
        proptest::strategy::Just("**".to_owned()),
        proptest::strategy::Just("~~".to_owned()),
        proptest::strategy::Just("`".to_owned()),
        proptest::strategy::Just("![a](b \"c\")".to_owned()),
        proptest::strategy::Just("[a](javascript:x)".to_owned()),
        proptest::strategy::Just("\n".to_owned()),
        proptest::strategy::Just("\n\n".to_owned()),
        "[a-z &<>\"']{0,8}",
    ], 0..40)) {
        let md = parts.concat();
        let out = convert(&md);
        proptest::prop_assert!(well_formed(&out).is_ok(), "{}", well_formed(&out).unwrap_err());
    }
}
