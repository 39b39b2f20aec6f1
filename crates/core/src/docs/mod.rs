//! Documents and Markdown rendering.

mod documents;
pub mod html;
pub(crate) mod link_policy;
pub mod storage;
pub mod templates;

pub use documents::{Document, DocumentKind, PublishedPage, MAX_MARKDOWN_BYTES};
