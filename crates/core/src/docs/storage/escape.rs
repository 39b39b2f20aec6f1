//! XML escaping for text, attribute values and CDATA, dropping characters
//! XML 1.0 forbids. Runs of ordinary bytes are copied whole: this is the
//! converter's innermost loop.

/// Characters XML 1.0 allows.
pub(crate) fn xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..='\u{10FFFF}')
}

/// Whether byte `b` may start something that needs care: markup
/// characters, C0 controls, and 0xEF (which leads U+FFFE and U+FFFF).
const fn special_byte(b: u8, attr: bool) -> bool {
    match b {
        b'&' | b'<' | b'>' => true,
        b'"' | b'\'' | b'\t' | b'\n' | b'\r' => attr,
        0..=0x1f | 0xef => true,
        _ => false,
    }
}

/// [`special_byte`] for every byte, for text and for attribute values: one
/// load per byte in the innermost loop.
const SPECIAL: [[bool; 256]; 2] = {
    let mut table = [[false; 256]; 2];
    let mut b = 0;
    while b < 256 {
        table[0][b] = special_byte(b as u8, false);
        table[1][b] = special_byte(b as u8, true);
        b += 1;
    }
    table
};

#[inline]
fn special(b: u8, attr: bool) -> bool {
    SPECIAL[attr as usize][b as usize]
}

fn push_escaped(out: &mut String, text: &str, attr: bool) {
    let bytes = text.as_bytes();
    let mut run = 0;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if !special(b, attr) {
            i += 1;
            continue;
        }
        out.push_str(&text[run..i]);
        if b == 0xef {
            // A three-byte character starting here; keep it unless it is
            // U+FFFE or U+FFFF.
            let c = text[i..].chars().next().unwrap_or('\u{fffd}');
            if xml_char(c) {
                out.push(c);
            }
            i += c.len_utf8();
            run = i;
            continue;
        }
        match b {
            b'&' => out.push_str("&amp;"),
            b'<' => out.push_str("&lt;"),
            b'>' => out.push_str("&gt;"),
            b'"' => out.push_str("&quot;"),
            b'\'' => out.push_str("&apos;"),
            b'\t' | b'\n' | b'\r' if attr => out.push(' '),
            b'\t' | b'\n' | b'\r' => out.push(b as char),
            _ => {} // other C0 controls: not allowed in XML
        }
        i += 1;
        run = i;
    }
    out.push_str(&text[run..]);
}

pub(crate) fn push_text(out: &mut String, text: &str) {
    push_escaped(out, text, false);
}

pub(crate) fn push_attr(out: &mut String, text: &str) {
    push_escaped(out, text, true);
}

/// The body of a CDATA section: a `]]>` is split across two sections so it
/// cannot end the first early.
pub(crate) fn push_cdata(out: &mut String, body: &str) {
    // Only a C0 control or a character led by 0xEF (U+FFFE, U+FFFF) can
    // be forbidden: without one, the body is used as it is.
    let clean: std::borrow::Cow<'_, str> = if body
        .bytes()
        .any(|b| special(b, false) && !matches!(b, b'&' | b'<' | b'>' | b'\t' | b'\n' | b'\r'))
    {
        body.chars()
            .filter(|c| xml_char(*c))
            .collect::<String>()
            .into()
    } else {
        body.into()
    };
    let mut rest = &*clean;
    while let Some(at) = rest.find("]]>") {
        out.push_str(&rest[..at]);
        out.push_str("]]]]><![CDATA[>");
        rest = &rest[at + 3..];
    }
    out.push_str(rest);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_and_drops_forbidden_characters() {
        let mut out = String::new();
        push_text(&mut out, "a<b>&c\u{1}\u{fffe}\u{ffff}\u{fffd}é\"'\n");
        assert_eq!(out, "a&lt;b&gt;&amp;c\u{fffd}é\"'\n");
        let mut out = String::new();
        push_attr(&mut out, "x\"y'z\nw\u{0}");
        assert_eq!(out, "x&quot;y&apos;z w");
        let mut out = String::new();
        push_cdata(&mut out, "a]]>b\u{2}]]>");
        assert_eq!(out, "a]]]]><![CDATA[>b]]]]><![CDATA[>");
    }
}
