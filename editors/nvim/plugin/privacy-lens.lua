-- Defines :PrivacyLensReport and :PrivacyLensExplain as soon as the plugin
-- is on 'runtimepath'; the language server starts with
-- require("privacy-lens").setup{} (or vim.lsp.enable("privacy_lens") on 0.11+).
if vim.g.loaded_privacy_lens then
  return
end
vim.g.loaded_privacy_lens = true
require("privacy-lens").create_commands()
