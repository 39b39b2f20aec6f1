//! Documents and Markdown rendering.

pub mod html;
