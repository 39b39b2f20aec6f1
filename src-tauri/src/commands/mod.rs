//! IPC commands: each parses its input, calls one core function, and
//! returns a typed, secret-free result.

pub mod about;
pub mod action_items;
pub mod activity;
pub mod connections;
pub mod documents;
pub mod evidence;
pub mod incidents;
pub mod links;
pub mod oauth;
pub mod timeline;
