//! Panic containment for protocol handlers.
//!
//! tower-lsp-server does not catch panics: one in a handler would unwind
//! through its serve loop and end the process. Every handler of
//! [`super::Backend`] runs through [`request`] or [`notification`]: a
//! panicking request gets an `InternalError` response, a panicking
//! notification is dropped, both are logged (stderr and
//! `window/logMessage`), and the server keeps serving.
//!
//! Testing hook: `PRIVACY_LENS_TEST_PANIC_ON` (read once, at startup) is a
//! comma-separated list of LSP method names (`textDocument/hover`,
//! `textDocument/didChange`, …) whose handler panics deliberately, so the
//! tests in `tests/protocol_robustness.rs` can prove containment on the real
//! binary. Unset (as it always is outside those tests) it does nothing.

use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::sync::OnceLock;

use futures::FutureExt;
use tower_lsp_server::jsonrpc::{self, Result};
use tower_lsp_server::ls_types::MessageType;

use super::{Backend, panic_message};

/// The environment variable naming methods that panic on purpose (tests only).
pub const TEST_PANIC_ENV: &str = "PRIVACY_LENS_TEST_PANIC_ON";

fn test_panics() -> &'static [String] {
    static METHODS: OnceLock<Vec<String>> = OnceLock::new();
    METHODS.get_or_init(|| {
        let methods: Vec<String> = std::env::var(TEST_PANIC_ENV)
            .unwrap_or_default()
            .split(',')
            .map(str::trim)
            .filter(|m| !m.is_empty())
            .map(str::to_owned)
            .collect();
        if !methods.is_empty() {
            tracing::warn!("{TEST_PANIC_ENV} is set: {methods:?} will panic (testing only)");
        }
        methods
    })
}

/// Reads the testing hook now, so its warning comes at startup.
pub fn init() {
    test_panics();
}

fn maybe_test_panic(method: &str) {
    if test_panics().iter().any(|m| m == method) {
        panic!("deliberate test panic in {method} ({TEST_PANIC_ENV})");
    }
}

async fn report(backend: &Backend, method: &str, reason: &str) {
    backend
        .log(
            MessageType::ERROR,
            format!("privacy-lens: {method} panicked: {reason}; the server keeps running"),
        )
        .await;
}

/// Runs a request handler; a panic becomes an `InternalError` response.
pub async fn request<T>(
    backend: &Backend,
    method: &str,
    handler: impl Future<Output = Result<T>>,
) -> Result<T> {
    let run = async {
        maybe_test_panic(method);
        handler.await
    };
    match AssertUnwindSafe(run).catch_unwind().await {
        Ok(result) => result,
        Err(payload) => {
            let reason = panic_message(payload.as_ref());
            report(backend, method, &reason).await;
            Err(jsonrpc::Error {
                message: format!("privacy-lens: {method} failed: {reason}").into(),
                ..jsonrpc::Error::internal_error()
            })
        }
    }
}

/// Runs a notification handler; a panic is logged and the notification dropped.
pub async fn notification(backend: &Backend, method: &str, handler: impl Future<Output = ()>) {
    let run = async {
        maybe_test_panic(method);
        handler.await
    };
    if let Err(payload) = AssertUnwindSafe(run).catch_unwind().await {
        let reason = panic_message(payload.as_ref());
        report(backend, method, &reason).await;
    }
}
