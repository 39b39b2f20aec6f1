//! Documents and Markdown rendering.

pub mod html;
pub mod storage;
