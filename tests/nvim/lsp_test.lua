-- Headless Neovim (0.7+) with the privacy-lens plugin (editors/nvim), loaded
-- through require("privacy-lens").setup{} as a user would: for a Python and
-- a TypeScript file, diagnostics arrive, the hover explains the risk, the
-- "Add data-use tag" code action is applied, the warning clears, and the
-- file is saved with the tag. :PrivacyLensExplain shows the rule's page and
-- :PrivacyLensReport shows the report (or says the binary has none yet).
--
-- Run by tests/nvim/run.sh; exits 0 on success, 1 on any failure.
-- Environment: PRIVACY_LENS_BIN (the binary), PRIVACY_LENS_PLUGIN (editors/nvim),
-- PRIVACY_LENS_PROJECT (the directory with app.py and app.ts),
-- NVIM_TEST_TIMEOUT_MS (per step).

local step_timeout = tonumber(os.getenv('NVIM_TEST_TIMEOUT_MS') or '') or 10000
local started = vim.loop.hrtime()

local function log(...)
  local elapsed = (vim.loop.hrtime() - started) / 1e6
  io.stderr:write(string.format('[%6.0f ms] ', elapsed), table.concat({ ... }, ' '), '\n')
end

local function fail(message)
  io.stderr:write('FAIL: ', message, '\n')
  vim.cmd('cquit 1')
end

local function wait(what, condition)
  if not vim.wait(step_timeout, condition, 10) then
    error('timed out after ' .. step_timeout .. ' ms waiting for ' .. what, 0)
  end
end

local function check(ok, message)
  if not ok then
    error(message, 0)
  end
end

local function is_warning(d)
  return d.severity == vim.diagnostic.severity.ERROR or d.severity == vim.diagnostic.severity.WARN
end

-- Observe (not replace) what the server publishes: the raw LSP diagnostics
-- are needed for the code action request's context.
local raw, publications = {}, 0
local default_publish = vim.lsp.handlers['textDocument/publishDiagnostics']
vim.lsp.handlers['textDocument/publishDiagnostics'] = function(err, result, ctx, config)
  raw[result.uri] = result.diagnostics
  publications = publications + 1
  return default_publish(err, result, ctx, config)
end

-- Messages shown with vim.notify.
local notes = {}
local default_notify = vim.notify
vim.notify = function(message, level, opts)
  table.insert(notes, { message = message, level = level })
  log('notify:', message)
  return default_notify(message, level, opts)
end

local function buffer_named(name)
  local buf = vim.fn.bufnr(name)
  if buf == -1 then
    return nil
  end
  return buf
end

--- One file: diagnostics, hover, explain, code action, cleared warning, save.
local function scenario(pl, path, spec)
  vim.cmd('edit ' .. vim.fn.fnameescape(path))
  local buf = vim.api.nvim_get_current_buf()
  check(vim.bo[buf].filetype == spec.filetype,
    'filetype detection gave ' .. vim.bo[buf].filetype .. ' for ' .. path)
  local uri = vim.uri_from_bufnr(buf)

  wait('the plugin to attach a client to ' .. path, function()
    return #pl.clients(buf) > 0
  end)
  local client = pl.clients(buf)[1]
  log(spec.filetype, ': client', client.name, client.id, 'root', tostring(client.config.root_dir))

  -- 1. Diagnostics (PL101 is an error here: the plugin passed the settings on).
  wait('diagnostics in ' .. path, function()
    for _, d in ipairs(vim.diagnostic.get(buf)) do
      if is_warning(d) then
        return true
      end
    end
    return false
  end)
  local diagnostic
  for _, d in ipairs(raw[uri] or {}) do
    if d.code == 'PL101' then
      diagnostic = d
    end
  end
  check(diagnostic, 'no PL101 diagnostic in ' .. vim.inspect(raw[uri]))
  log(spec.filetype, ': diagnostic', diagnostic.code, vim.inspect(diagnostic.range.start), diagnostic.message)
  check(diagnostic.source == 'privacy-lens', 'unexpected source ' .. tostring(diagnostic.source))
  check(diagnostic.severity == 1, 'PL101 should be an error (settings.rules.severity), got severity '
    .. tostring(diagnostic.severity))
  -- The call starts after `résumé = ` (+ `await `): its column in the
  -- client's encoding, computed from the buffer line.
  local line = vim.api.nvim_buf_get_lines(buf, spec.line, spec.line + 1, false)[1]
  local byte_col = assert(line:find(spec.call, 1, true), 'the fixture has no ' .. spec.call) - 1
  local expected_col = byte_col
  if client.offset_encoding ~= 'utf-8' then
    local _, utf16 = vim.str_utfindex(line, byte_col)
    expected_col = utf16
  end
  check(diagnostic.range.start.line == spec.line and diagnostic.range.start.character == expected_col,
    'diagnostic at ' .. vim.inspect(diagnostic.range.start) .. ', expected ' .. spec.line .. ':'
      .. expected_col .. ' (' .. client.offset_encoding .. ')')

  -- 2. Hover on the call.
  local response = vim.lsp.buf_request_sync(buf, 'textDocument/hover', {
    textDocument = { uri = uri },
    position = diagnostic.range.start,
  }, step_timeout)
  local hover = response and response[client.id] and response[client.id].result
  check(hover, 'no hover: ' .. vim.inspect(response))
  local text = hover.contents.value or ''
  log(spec.filetype, ': hover', (text:gsub('\n.*', '')))
  for _, expected in ipairs({ 'user.contact.email', spec.api, 'reaches an LLM inference call', 'Data-use tag' }) do
    check(text:find(expected, 1, true), 'hover lacks "' .. expected .. '":\n' .. text)
  end

  -- 3. :PrivacyLensExplain with the cursor on the diagnostic.
  if spec.explain then
    local win = vim.api.nvim_get_current_win()
    vim.api.nvim_win_set_cursor(win, { spec.line + 1, byte_col })
    vim.cmd('PrivacyLensExplain')
    local name = 'privacy-lens://explain/PL101'
    wait(':PrivacyLensExplain to show PL101', function()
      local b = buffer_named(name)
      return b ~= nil and vim.api.nvim_buf_line_count(b) > 3
    end)
    local page = table.concat(vim.api.nvim_buf_get_lines(buffer_named(name), 0, -1, false), '\n')
    check(page:find('personal-data-to-llm', 1, true), 'the explain page lacks the rule name:\n' .. page)
    check(vim.bo[buffer_named(name)].filetype == 'markdown', 'the explain page is not markdown')
    log(spec.filetype, ': explain', (page:gsub('\n.*', '')))
    vim.api.nvim_buf_delete(buffer_named(name), { force = true })
    vim.api.nvim_set_current_win(win)
    check(vim.api.nvim_get_current_buf() == buf, 'lost the file window after :PrivacyLensExplain')
  end

  -- 4. Code action: "Add data-use tag …".
  response = vim.lsp.buf_request_sync(buf, 'textDocument/codeAction', {
    textDocument = { uri = uri },
    range = diagnostic.range,
    context = { diagnostics = { diagnostic } },
  }, step_timeout)
  local actions = response and response[client.id] and response[client.id].result or {}
  local action
  for _, a in ipairs(actions) do
    if not action and a.title:find('^Add data%-use tag') then
      action = a
    end
  end
  check(action, 'no "Add data-use tag" action in ' .. vim.inspect(actions))
  log(spec.filetype, ': applying', action.title)
  local before = publications
  vim.lsp.util.apply_workspace_edit(action.edit, client.offset_encoding)

  -- 5. The warning clears.
  wait('the warning to clear in ' .. path, function()
    if publications <= before then
      return false
    end
    for _, d in ipairs(vim.diagnostic.get(buf)) do
      if is_warning(d) then
        return false
      end
    end
    return true
  end)
  log(spec.filetype, ': diagnostics after the fix:', #vim.diagnostic.get(buf))

  -- 6. Save.
  vim.cmd('silent write')
  return client
end

local function main()
  local bin = assert(os.getenv('PRIVACY_LENS_BIN'), 'PRIVACY_LENS_BIN is not set')
  local plugin = assert(os.getenv('PRIVACY_LENS_PLUGIN'), 'PRIVACY_LENS_PLUGIN is not set')
  local project = assert(os.getenv('PRIVACY_LENS_PROJECT'), 'PRIVACY_LENS_PROJECT is not set')
  log('neovim', tostring(vim.version().major) .. '.' .. vim.version().minor .. '.' .. vim.version().patch)

  -- As a plugin manager would: the plugin on 'runtimepath', filetype detection on.
  vim.opt.runtimepath:prepend(plugin)
  vim.cmd('filetype on')
  vim.cmd('runtime! plugin/privacy-lens.lua')
  check(vim.fn.exists(':PrivacyLensReport') == 2, 'plugin/privacy-lens.lua did not define :PrivacyLensReport')

  local pl = require('privacy-lens')
  -- PRIVACY_LENS_NVIM_NATIVE=0: the FileType autocommand even on 0.11+
  -- (there it starts clients with vim.lsp.start, the 0.8-0.10 path).
  local native = os.getenv('PRIVACY_LENS_NVIM_NATIVE') ~= '0'
  local options = {
    bin = bin,
    flags = { debounce_text_changes = 0 },
    settings = { debounceMs = 0, rules = { severity = { PL101 = 'error' } } },
  }
  if not native then
    options.native = false
  end
  pl.setup(options)
  check(vim.fn.exists(':PrivacyLensExplain') == 2, 'setup{} did not define :PrivacyLensExplain')
  -- Which way the plugin starts the server: vim.lsp.config/enable on 0.11+,
  -- its FileType autocommand before.
  local has_autocmd = pcall(vim.api.nvim_get_autocmds, { group = 'privacy_lens', event = 'FileType' })
  if vim.fn.has('nvim-0.11') == 1 and native then
    check(vim.lsp.config[pl.name] ~= nil and vim.lsp.config[pl.name].cmd[1] == bin,
      'on 0.11+ setup{} should register vim.lsp.config.' .. pl.name)
    check(not has_autocmd, 'on 0.11+ setup{} should not add its own FileType autocommand')
    log('setup{}: vim.lsp.config + vim.lsp.enable')
  else
    check(has_autocmd, 'setup{} should add a FileType autocommand (before 0.11, or with native = false)')
    log('setup{}: FileType autocommand, clients from ' .. (vim.lsp.start and 'vim.lsp.start' or 'vim.lsp.start_client'))
  end

  local python = scenario(pl, project .. '/app.py', {
    filetype = 'python', line = 8, call = 'client.chat.completions.create',
    api = 'openai.chat.completions.create', explain = true,
  })
  local typescript = scenario(pl, project .. '/app.ts', {
    filetype = 'typescript', line = 9, call = 'client.chat.completions.create',
    api = 'openai.chat.completions.create',
  })
  check(python.id == typescript.id, 'one project root should share one client')

  -- :PrivacyLensReport: the report, or a clear message when the binary has none.
  vim.cmd('PrivacyLensReport')
  local report_name = 'privacy-lens://report.markdown'
  local unsupported
  wait(':PrivacyLensReport to show the report or say why not', function()
    for _, note in ipairs(notes) do
      if note.message:find('cannot build reports yet', 1, true) then
        unsupported = true
        return true
      end
    end
    local b = buffer_named(report_name)
    return b ~= nil and vim.api.nvim_buf_line_count(b) > 1
  end)
  if unsupported then
    log('report: this binary has no report command; the plugin said so')
  else
    local report = table.concat(vim.api.nvim_buf_get_lines(buffer_named(report_name), 0, -1, false), '\n')
    check(report:find('app.py', 1, true), 'the report does not mention app.py:\n' .. report)
    log('report:', (report:gsub('\n.*', '')))
  end

  -- Stop the server cleanly and quit.
  for _, client in ipairs(pl.clients()) do
    pl.stop_client(client)
  end
  wait('the server to stop', function()
    return #pl.clients() == 0
  end)
  log('ok')
  vim.cmd('qall!')
end

local ok, err = xpcall(main, debug.traceback)
if not ok then
  fail(tostring(err))
end
