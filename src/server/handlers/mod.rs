//! One file per LSP method (or closely related group of notifications).

pub mod code_action;
pub mod configuration;
pub mod diagnostics;
pub mod hover;
pub mod index;
pub mod initialize;
pub mod text_sync;
