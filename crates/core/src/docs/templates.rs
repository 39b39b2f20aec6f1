//! Starting points for an RCA and a post-mortem. Both carry the sections a
//! review needs; the incident's facts are filled in when there is one.

use crate::incidents::Incident;

fn facts(incident: Option<&Incident>) -> String {
    match incident {
        Some(i) => format!(
            "| | |\n|---|---|\n| Incident | {} |\n| Severity | {} |\n| Status | {} |\n| Opened | {} |\n",
            one_line(&i.title),
            i.severity,
            i.status.as_str(),
            i.created_at
        ),
        None => "| | |\n|---|---|\n| Incident | |\n| Severity | |\n| Opened | |\n".to_owned(),
    }
}

/// Table cells are single lines without pipes.
fn one_line(text: &str) -> String {
    text.replace(['\n', '\r'], " ").replace('|', "\\|")
}

const BODY: &str = "## Impact

Who and what was affected, for how long, and how badly (users, requests, revenue, SLOs).

## Timeline

| Time (UTC) | Event |
|---|---|
| | Detected: |
| | Mitigated: |
| | Resolved: |

## Root cause

What failed, and why.

## Contributing factors

- 

## Resolution

How service was restored, and what was changed.

## Action items

One task per item, with its owner and (if there is one) a due date, e.g.
`- [ ] Add alert on queue depth — @alice, due 2026-12-20`.

- [ ] 

## Lessons learned

What went well, what went wrong, where we got lucky.
";

pub fn rca(title: &str, incident: Option<&Incident>) -> String {
    format!(
        "# {}\n\n{}\n## Summary\n\nOne paragraph: what happened, the impact, and the root cause.\n\n{BODY}",
        one_line(title),
        facts(incident)
    )
}

pub fn postmortem(title: &str, incident: Option<&Incident>) -> String {
    format!(
        "# {}\n\n{}\n> **Note:** this post-mortem is blameless: it is about systems and decisions, not people.\n\n\
         ## Summary\n\nWhat happened, in a few sentences a reader outside the team understands.\n\n{BODY}",
        one_line(title),
        facts(incident)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates_have_every_section() {
        for doc in [rca("DB | down", None), postmortem("x", None)] {
            for section in [
                "## Summary",
                "## Impact",
                "## Timeline",
                "## Root cause",
                "## Contributing factors",
                "## Resolution",
                "## Action items",
                "— @alice, due 2026-12-20",
                "## Lessons learned",
            ] {
                assert!(doc.contains(section), "{section} missing");
            }
        }
        assert!(rca("DB | down", None).starts_with("# DB \\| down"));
    }
}
