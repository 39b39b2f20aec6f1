//! Documents and Markdown rendering.

pub mod action_items;
pub mod assets;
pub mod diff;
mod documents;
pub mod front_matter;
pub mod html;
mod import;
pub(crate) mod link_policy;
pub(crate) use import::validate_parent;
pub mod mermaid;
mod meta;
mod plan;
mod preview;
pub mod storage;
pub mod templates;
pub mod timeline;

pub use assets::{Asset, AssetUpload, PastedAsset, MAX_ASSET_BYTES};
pub use documents::{Document, DocumentKind, PublishedPage, MAX_MARKDOWN_BYTES};
pub use meta::DocumentMeta;
pub use plan::{PlannedFile, PublishPlan, DIAGRAM_COMMENT};
