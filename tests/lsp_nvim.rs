//! The real-editor test: headless Neovim loads the plugin in `editors/nvim`
//! through `require("privacy-lens").setup{}` and drives `privacy-lens lsp`
//! through diagnostics, hover, `:PrivacyLensExplain`, the "Add data-use tag"
//! code action, a save and `:PrivacyLensReport`, on a Python and a
//! TypeScript file (`tests/nvim/run.sh`, `tests/nvim/lsp_test.lua`).
//!
//! The first test uses `nvim` from `PATH` (Debian's 0.7.2: the `FileType`
//! autocommand path). It is skipped with a message when `nvim` is not
//! installed, unless `PRIVACY_LENS_REQUIRE_NVIM` is set (CI sets it once it
//! has installed Neovim), in which case a missing `nvim` fails the test.
//!
//! The second runs the same scenario in the Neovim named by
//! `PRIVACY_LENS_NVIM_NEW` (0.11+: the `vim.lsp.config`/`vim.lsp.enable`
//! path; `tests/nvim/setup-nvim-new.sh` fetches one), and the third runs it
//! there with `setup{ native = false }` (the `FileType` autocommand with
//! `vim.lsp.start`, as on 0.8–0.10). Both are skipped when the variable is
//! unset, unless `PRIVACY_LENS_REQUIRE_NVIM_NEW` is set.

use std::path::Path;
use std::process::Command;

fn run(nvim: Option<&std::ffi::OsStr>, native: bool, require: &str, what: &str) {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/nvim/run.sh");
    let mut command = Command::new("bash");
    command.arg(&script).arg(env!("CARGO_BIN_EXE_privacy-lens"));
    if let Some(nvim) = nvim {
        command.env("NVIM", nvim);
    }
    command.env("PRIVACY_LENS_NVIM_NATIVE", if native { "1" } else { "0" });
    let output = command.output().expect("cannot run bash");
    let stderr = String::from_utf8_lossy(&output.stderr);
    match output.status.code() {
        Some(0) => eprintln!("{stderr}"),
        Some(77) if std::env::var_os(require).is_none() => {
            eprintln!("SKIPPED {what} test: {}", stderr.trim());
        }
        status => panic!("the {what} test failed (status {status:?}):\n{stderr}"),
    }
}

#[test]
fn neovim_diagnostics_hover_code_action_and_save() {
    run(None, true, "PRIVACY_LENS_REQUIRE_NVIM", "Neovim");
}

fn newer_neovim() -> Option<std::ffi::OsString> {
    let nvim = std::env::var_os("PRIVACY_LENS_NVIM_NEW");
    if nvim.is_none() {
        if std::env::var_os("PRIVACY_LENS_REQUIRE_NVIM_NEW").is_some() {
            panic!("PRIVACY_LENS_REQUIRE_NVIM_NEW is set but PRIVACY_LENS_NVIM_NEW is not");
        }
        eprintln!(
            "SKIPPED Neovim 0.11+ test: PRIVACY_LENS_NVIM_NEW is not set (tests/nvim/setup-nvim-new.sh)"
        );
    }
    nvim
}

#[test]
fn neovim_011_native_configuration() {
    if let Some(nvim) = newer_neovim() {
        run(
            Some(&nvim),
            true,
            "PRIVACY_LENS_REQUIRE_NVIM_NEW",
            "Neovim 0.11+",
        );
    }
}

/// `setup{ native = false }` on a newer Neovim: the `FileType` autocommand
/// with `vim.lsp.start`, the path Neovim 0.8–0.10 take.
#[test]
fn neovim_autocommand_with_vim_lsp_start() {
    if let Some(nvim) = newer_neovim() {
        run(
            Some(&nvim),
            false,
            "PRIVACY_LENS_REQUIRE_NVIM_NEW",
            "Neovim vim.lsp.start",
        );
    }
}
