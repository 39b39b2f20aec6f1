//! What changed in a document's Markdown since its last publish, as a line
//! diff the user reads before confirming an update.

use serde::Serialize;

use crate::app::Core;
use crate::error::Result;
use crate::store::assets as asset_repo;
use crate::store::documents as repo;

/// Beyond this many lines on both sides of the changed middle, the middle
/// is shown as removed-then-added rather than aligned line by line.
const MAX_ALIGNED: usize = 1500;
/// Unchanged lines kept around each change.
const CONTEXT: usize = 2;

#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum DiffLine {
    Same {
        text: String,
    },
    Added {
        text: String,
    },
    Removed {
        text: String,
    },
    /// Unchanged lines left out.
    Skipped {
        lines: u32,
    },
}

#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PublishDiff {
    /// False when the Markdown is what was last published.
    pub changed: bool,
    pub lines: Vec<DiffLine>,
}

/// Line diff of `old` → `new` with a little context around each change.
pub fn line_diff(old: &str, new: &str) -> Vec<DiffLine> {
    let a: Vec<&str> = old.lines().collect();
    let b: Vec<&str> = new.lines().collect();
    let prefix = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
    let suffix = a[prefix..]
        .iter()
        .rev()
        .zip(b[prefix..].iter().rev())
        .take_while(|(x, y)| x == y)
        .count();
    let (ma, mb) = (&a[prefix..a.len() - suffix], &b[prefix..b.len() - suffix]);
    let mut full: Vec<DiffLine> = a[..prefix]
        .iter()
        .map(|t| DiffLine::Same {
            text: t.to_string(),
        })
        .collect();
    if ma.len() <= MAX_ALIGNED && mb.len() <= MAX_ALIGNED {
        full.extend(aligned(ma, mb));
    } else {
        full.extend(ma.iter().map(|t| DiffLine::Removed {
            text: t.to_string(),
        }));
        full.extend(mb.iter().map(|t| DiffLine::Added {
            text: t.to_string(),
        }));
    }
    full.extend(a[a.len() - suffix..].iter().map(|t| DiffLine::Same {
        text: t.to_string(),
    }));
    with_context(full)
}

/// Longest-common-subsequence alignment of two short line lists.
fn aligned(a: &[&str], b: &[&str]) -> Vec<DiffLine> {
    let (n, m) = (a.len(), b.len());
    let mut lcs = vec![vec![0u32; m + 1]; n + 1];
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            lcs[i][j] = if a[i] == b[j] {
                lcs[i + 1][j + 1] + 1
            } else {
                lcs[i + 1][j].max(lcs[i][j + 1])
            };
        }
    }
    let (mut i, mut j) = (0, 0);
    let mut out = Vec::with_capacity(n + m);
    while i < n || j < m {
        if i < n && j < m && a[i] == b[j] {
            out.push(DiffLine::Same { text: a[i].into() });
            i += 1;
            j += 1;
        } else if i < n && (j == m || lcs[i + 1][j] >= lcs[i][j + 1]) {
            out.push(DiffLine::Removed { text: a[i].into() });
            i += 1;
        } else {
            out.push(DiffLine::Added { text: b[j].into() });
            j += 1;
        }
    }
    out
}

fn with_context(full: Vec<DiffLine>) -> Vec<DiffLine> {
    let changed: Vec<bool> = full
        .iter()
        .map(|l| !matches!(l, DiffLine::Same { .. }))
        .collect();
    let near = |i: usize| {
        let lo = i.saturating_sub(CONTEXT);
        let hi = (i + CONTEXT + 1).min(changed.len());
        changed[lo..hi].iter().any(|c| *c)
    };
    let mut out = Vec::new();
    let mut skipped = 0u32;
    for (i, line) in full.into_iter().enumerate() {
        if near(i) {
            if skipped > 0 {
                out.push(DiffLine::Skipped { lines: skipped });
                skipped = 0;
            }
            out.push(line);
        } else {
            skipped += 1;
        }
    }
    if skipped > 0 {
        out.push(DiffLine::Skipped { lines: skipped });
    }
    out
}

impl Core {
    /// The Markdown diff since the last publish to `connection`; `None`
    /// when the document was never published there.
    pub fn changes_since_publish(&self, id: &str, connection: &str) -> Result<Option<PublishDiff>> {
        let doc = self.find_document(id)?;
        let view = self.show_connection(connection)?;
        if repo::find_page(self.db(), &doc.id, &view.id)?.is_none() {
            return Ok(None);
        }
        let last = asset_repo::publish_state(self.db(), &doc.id, &view.id)?
            .map(|s| s.markdown)
            .unwrap_or_default();
        Ok(Some(PublishDiff {
            changed: last != doc.markdown,
            lines: line_diff(&last, &doc.markdown),
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shows_changes_with_context() {
        let old = "a\nb\nc\nd\ne\nf\ng\nh\n";
        let new = "a\nb\nc\nd\nE\nf\ng\nh\ni\n";
        let diff = line_diff(old, new);
        assert_eq!(
            diff,
            vec![
                DiffLine::Skipped { lines: 2 },
                DiffLine::Same { text: "c".into() },
                DiffLine::Same { text: "d".into() },
                DiffLine::Removed { text: "e".into() },
                DiffLine::Added { text: "E".into() },
                DiffLine::Same { text: "f".into() },
                DiffLine::Same { text: "g".into() },
                DiffLine::Same { text: "h".into() },
                DiffLine::Added { text: "i".into() },
            ]
        );
        assert_eq!(
            line_diff("x\n", "x\n"),
            vec![DiffLine::Skipped { lines: 1 }]
        );
    }
}
