use proptest::strategy::Strategy;

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

#[test]
fn a_control_character_entity_cannot_hide_a_script_scheme() {
    // U+0001 is dropped on output; the scheme check must see what is written.
    assert_eq!(check("[x](&#1;javascript:alert(1))"), "<p>x</p>");
    assert_eq!(check("[x](java&#0;script:alert(1))"), "<p>x</p>");
    assert_eq!(check("[x](<java\tscript:alert(1)>)"), "<p>x</p>");
    assert_eq!(check("[x](file:///etc/passwd)"), "<p>x</p>");
    assert_eq!(
        check("![i](&#1;javascript:alert(1))"),
        "<p><ac:image ac:alt=\"i\"></ac:image></p>"
    );
    assert_eq!(
        check("![i](ftp://x.example/g.png)"),
        "<p><ac:image ac:alt=\"i\"></ac:image></p>"
    );
    assert_eq!(
        check("[mail](mailto:oncall@x.example) [anchor](#impact)"),
        "<p><a href=\"mailto:oncall@x.example\">mail</a> <a href=\"#impact\">anchor</a></p>"
    );
}

/// A stricter reading than a browser's: every control character and space
/// removed anywhere, then whatever precedes the first colon (before any
/// `/`, `?`, `#`) is the scheme. `None` for a relative target.
fn browser_scheme(value: &str) -> Result<Option<String>, ()> {
    let squeezed: String = value
        .chars()
        .filter(|c| *c > ' ' && *c != '\u{7f}')
        .collect();
    let head = squeezed.split(['/', '?', '#']).next().unwrap_or("");
    Ok(head
        .split_once(':')
        .map(|(scheme, _)| scheme.to_ascii_lowercase()))
}

fn targets(fragment: &str) -> Vec<(String, String)> {
    let doc = format!(
        "<root xmlns:ac=\"http://atlassian.com/content\" xmlns:ri=\"http://atlassian.com/resource/identifier\">{fragment}</root>"
    );
    let doc = roxmltree::Document::parse(&doc).unwrap();
    let ri = "http://atlassian.com/resource/identifier";
    let mut out = Vec::new();
    for node in doc.descendants().filter(|n| n.is_element()) {
        let name = node.tag_name().name();
        if let Some(href) = node.attribute("href") {
            out.push(("link".to_owned(), href.to_owned()));
        }
        if name == "url" {
            if let Some(v) = node.attribute((ri, "value")) {
                out.push(("image".to_owned(), v.to_owned()));
            }
        }
        if name == "attachment" {
            if let Some(v) = node.attribute((ri, "filename")) {
                out.push(("image".to_owned(), v.to_owned()));
            }
        }
    }
    out
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(1024))]

    /// No generated link or image yields a storage attribute whose scheme
    /// is outside the allowlist, whatever hides in front of or inside it.
    #[test]
    fn no_link_or_image_escapes_the_scheme_allowlist(
        image in proptest::bool::ANY,
        prefix in proptest::collection::vec(proptest::prop_oneof![
            proptest::strategy::Just(String::new()),
            (0u32..32).prop_map(|n| format!("&#{n};")),
            (0u32..32).prop_map(|n| format!("&#x{n:x};")),
            proptest::strategy::Just(" ".to_owned()),
            proptest::strategy::Just("%20".to_owned()),
            proptest::strategy::Just("\u{FEFF}".to_owned()),
            proptest::strategy::Just("\u{FFFE}".to_owned()),
        ], 0..3),
        scheme in proptest::prop_oneof![
            proptest::strategy::Just("javascript"),
            proptest::strategy::Just("JaVaScRiPt"),
            proptest::strategy::Just("vbscript"),
            proptest::strategy::Just("data"),
            proptest::strategy::Just("file"),
            proptest::strategy::Just("https"),
            proptest::strategy::Just("mailto"),
            proptest::strategy::Just("http"),
            proptest::strategy::Just(""),
        ],
        split in 0usize..11,
        filler in proptest::prop_oneof![
            proptest::strategy::Just(String::new()),
            (0u32..32).prop_map(|n| format!("&#{n};")),
            proptest::strategy::Just("\u{7}".to_owned()),
        ],
        rest in "[a-z0-9/().:#?=]{0,12}",
    ) {
        let split = split.min(scheme.len());
        let target = format!("{}{}{}{}:{rest}", prefix.concat(), &scheme[..split], filler, &scheme[split..]);
        let md = if image { format!("![a](<{target}>)") } else { format!("[a](<{target}>)") };
        let out = convert(&md);
        proptest::prop_assert!(well_formed(&out).is_ok());
        for (kind, value) in targets(&out) {
            let allowed: &[&str] = if kind == "link" { &["http", "https", "mailto"] } else { &["http", "https"] };
            match browser_scheme(&value) {
                Ok(None) => {}
                Ok(Some(s)) => proptest::prop_assert!(allowed.contains(&s.as_str()), "{kind} {value:?} from {md:?}"),
                Err(()) => proptest::prop_assert!(false, "{kind} {value:?} from {md:?}"),
            }
        }
    }
}
