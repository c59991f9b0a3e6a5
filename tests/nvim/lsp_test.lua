-- Headless Neovim (0.7+) against `privacy-lens lsp`: diagnostics arrive,
-- the hover explains the risk, the "Add data-use tag" code action is
-- applied, the warning clears, and the file is saved with the tag.
--
-- Run by tests/nvim/run.sh; exits 0 on success, 1 on any failure.
-- Environment: PRIVACY_LENS_BIN (the binary), NVIM_TEST_TIMEOUT_MS (per step).

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

local function is_warning(d)
  return d.severity == vim.diagnostic.severity.ERROR or d.severity == vim.diagnostic.severity.WARN
end

local function main()
  local bin = assert(os.getenv('PRIVACY_LENS_BIN'), 'PRIVACY_LENS_BIN is not set')
  local buf = vim.api.nvim_get_current_buf()
  local fname = vim.api.nvim_buf_get_name(buf)
  -- `-u NONE` turns filetype detection off: without this languageId is ''.
  vim.bo[buf].filetype = 'python'

  local raw, publications = {}, 0
  local default_handler = vim.lsp.handlers['textDocument/publishDiagnostics']
  local client_id = vim.lsp.start_client({
    name = 'privacy-lens',
    cmd = { bin, 'lsp' },
    root_dir = vim.fn.fnamemodify(fname, ':p:h'),
    flags = { debounce_text_changes = 0 },
    handlers = {
      ['textDocument/publishDiagnostics'] = function(err, result, ctx, config)
        raw[result.uri] = result.diagnostics
        publications = publications + 1
        return default_handler(err, result, ctx, config)
      end,
    },
  })
  if not client_id then
    return fail('the server did not start')
  end
  vim.lsp.buf_attach_client(buf, client_id)
  local uri = vim.uri_from_bufnr(buf)

  -- 1. Diagnostics.
  wait('diagnostics', function()
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
  if not diagnostic then
    return fail('no PL101 diagnostic in ' .. vim.inspect(raw[uri]))
  end
  log('diagnostic', diagnostic.code, vim.inspect(diagnostic.range.start), diagnostic.message)
  if diagnostic.source ~= 'privacy-lens' then
    return fail('unexpected source ' .. tostring(diagnostic.source))
  end
  -- The call starts after `    résumé = `: 13 UTF-16 units, 14 bytes.
  local client = vim.lsp.get_client_by_id(client_id)
  local expected_col = client.offset_encoding == 'utf-8' and 14 or 13
  if diagnostic.range.start.line ~= 8 or diagnostic.range.start.character ~= expected_col then
    return fail('diagnostic at ' .. vim.inspect(diagnostic.range.start) .. ', expected 8:' .. expected_col
      .. ' (' .. client.offset_encoding .. ')')
  end

  -- 2. Hover on the call.
  local response = vim.lsp.buf_request_sync(buf, 'textDocument/hover', {
    textDocument = { uri = uri },
    position = diagnostic.range.start,
  }, step_timeout)
  local hover = response and response[client_id] and response[client_id].result
  if not hover then
    return fail('no hover: ' .. vim.inspect(response))
  end
  local text = hover.contents.value or ''
  log('hover', (text:gsub('\n.*', '')))
  for _, expected in ipairs({ 'user.contact.email', 'openai.chat.completions.create', 'reaches an LLM inference call', 'Data-use tag' }) do
    if not text:find(expected, 1, true) then
      return fail('hover lacks "' .. expected .. '":\n' .. text)
    end
  end

  -- 3. Code action: "Add data-use tag …".
  response = vim.lsp.buf_request_sync(buf, 'textDocument/codeAction', {
    textDocument = { uri = uri },
    range = diagnostic.range,
    context = { diagnostics = { diagnostic } },
  }, step_timeout)
  local actions = response and response[client_id] and response[client_id].result or {}
  local action
  for _, a in ipairs(actions) do
    if not action and a.title:find('^Add data%-use tag') then
      action = a
    end
  end
  if not action then
    return fail('no "Add data-use tag" action in ' .. vim.inspect(actions))
  end
  log('applying', action.title)
  local before = publications
  vim.lsp.util.apply_workspace_edit(action.edit, client.offset_encoding)

  -- 4. The warning clears.
  wait('the warning to clear', function()
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
  log('diagnostics after the fix:', #vim.diagnostic.get(buf))

  -- 5. Save, stop the server cleanly, quit.
  vim.cmd('silent write')
  vim.lsp.stop_client(client_id)
  wait('the server to stop', function()
    return vim.lsp.get_client_by_id(client_id) == nil
  end)
  log('ok')
  vim.cmd('qall!')
end

local ok, err = xpcall(main, debug.traceback)
if not ok then
  fail(tostring(err))
end
