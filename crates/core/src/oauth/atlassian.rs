//! Atlassian 3LO: the sites (cloud ids) an access token reaches. One grant
//! can cover several sites; the user chooses, we never take the first.

use reqwest::Method;
use serde::{Deserialize, Serialize};

use super::OAuthError;
use crate::http::HttpClient;
use crate::secret::SecretString;

#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AtlassianSite {
    /// The cloud id used in `https://api.atlassian.com/ex/confluence/{id}/...`.
    pub id: String,
    pub url: String,
    pub name: String,
    #[serde(default)]
    pub scopes: Vec<String>,
}

pub async fn accessible_resources(
    http: &HttpClient,
    resources_url: &str,
    access_token: &SecretString,
) -> Result<Vec<AtlassianSite>, OAuthError> {
    let request = http
        .request(Method::GET, resources_url)
        .bearer_auth(access_token.expose())
        .header("accept", "application/json");
    let response = http
        .send(request)
        .await
        .map_err(|e| OAuthError::Resources {
            reason: e.to_string(),
        })?;
    let sites: Vec<AtlassianSite> = response.json().map_err(|e| OAuthError::Resources {
        reason: e.to_string(),
    })?;
    Ok(sites)
}

/// The site named by `wanted` (its id, URL or name, case-insensitive).
pub fn find_site<'a>(sites: &'a [AtlassianSite], wanted: &str) -> Option<&'a AtlassianSite> {
    let wanted = wanted.trim().trim_end_matches('/');
    sites.iter().find(|s| {
        s.id.eq_ignore_ascii_case(wanted)
            || s.url.trim_end_matches('/').eq_ignore_ascii_case(wanted)
            || s.name.eq_ignore_ascii_case(wanted)
    })
}

pub fn describe_sites(sites: &[AtlassianSite]) -> String {
    sites
        .iter()
        .map(|s| format!("{} ({}, id {})", s.name, s.url, s.id))
        .collect::<Vec<_>>()
        .join("; ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sites() -> Vec<AtlassianSite> {
        vec![
            AtlassianSite {
                id: "aaa-1".into(),
                url: "https://one.atlassian.net".into(),
                name: "one".into(),
                scopes: vec![],
            },
            AtlassianSite {
                id: "bbb-2".into(),
                url: "https://two.atlassian.net".into(),
                name: "two".into(),
                scopes: vec![],
            },
        ]
    }

    #[test]
    fn a_site_is_found_by_id_url_or_name() {
        let s = sites();
        assert_eq!(find_site(&s, "bbb-2").unwrap().name, "two");
        assert_eq!(
            find_site(&s, "https://two.atlassian.net/").unwrap().id,
            "bbb-2"
        );
        assert_eq!(find_site(&s, "ONE").unwrap().id, "aaa-1");
        assert!(find_site(&s, "three").is_none());
    }
}
