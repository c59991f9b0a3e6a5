-- Neovim 0.11+ native LSP configuration for privacy-lens.
--
-- With this directory on 'runtimepath' (any plugin manager does that):
--
--   vim.lsp.enable("privacy_lens")
--
-- and override what you need with vim.lsp.config("privacy_lens", { ... }).
-- `require("privacy-lens").setup{}` does both and adds :PrivacyLensReport
-- and :PrivacyLensExplain.
return {
  cmd = { "privacy-lens", "lsp" },
  filetypes = { "python", "javascript", "javascriptreact", "typescript", "typescriptreact" },
  root_markers = { "privacy-lens.toml", "pyproject.toml", "package.json", ".git" },
  -- Answered to the server's workspace/configuration request for the
  -- "privacy-lens" section: the keys of privacy-lens.toml, as a table,
  -- plus debounceMs, e.g. { rules = { severity = { PL101 = "error" }, disable = { "PL102" } } }.
  settings = { ["privacy-lens"] = vim.empty_dict() },
}
