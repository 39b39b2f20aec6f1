//! One module per command group. Each handler parses input, calls one core
//! function, and formats the result.

pub mod audit;
pub mod connect;
pub mod connections;
pub mod doc;
pub mod remote;
pub mod vault;
