-- privacy-lens for Neovim: starts `privacy-lens lsp` for Python, JavaScript,
-- TypeScript, JSX and TSX buffers, and adds :PrivacyLensReport and
-- :PrivacyLensExplain.
--
--   require("privacy-lens").setup{}
--
-- Neovim 0.11+: registers the configuration with vim.lsp.config and enables
-- it with vim.lsp.enable. Neovim 0.7–0.10: a FileType autocommand starts one
-- client per project root (vim.lsp.start on 0.8+, vim.lsp.start_client on
-- 0.7) and attaches each buffer to it. See editors/nvim/README.md.
local M = {}

M.name = "privacy_lens"

local defaults = {
  -- The binary; `cmd` defaults to { bin, "lsp" }.
  bin = "privacy-lens",
  cmd = nil,
  filetypes = { "python", "javascript", "javascriptreact", "typescript", "typescriptreact" },
  root_markers = { "privacy-lens.toml", "pyproject.toml", "package.json", ".git" },
  -- The server's settings: the keys of privacy-lens.toml as a table, plus
  -- debounceMs. Sent as initializationOptions and as the answer to the
  -- server's workspace/configuration request for the "privacy-lens" section.
  settings = {},
  -- Passed through to the client configuration when set.
  on_attach = nil,
  capabilities = nil,
  handlers = nil,
  flags = nil,
  -- nil: use vim.lsp.config/vim.lsp.enable when available (0.11+);
  -- false: always use the FileType autocommand.
  native = nil,
}

M.options = vim.deepcopy(defaults)

local function notify(message, level)
  vim.notify("privacy-lens: " .. message, level or vim.log.levels.INFO)
end

--- Drops empty tables (they would be sent as JSON arrays) and returns a
--- table that encodes as a JSON object even when empty.
local function clean(value)
  if type(value) ~= "table" then
    return value
  end
  local out = {}
  for k, v in pairs(value) do
    v = clean(v)
    if not (type(v) == "table" and next(v) == nil) then
      out[k] = v
    end
  end
  return out
end

local function as_object(value)
  local cleaned = clean(value or {})
  if next(cleaned) == nil then
    return vim.empty_dict()
  end
  return cleaned
end

function M.binary()
  local cmd = M.options.cmd
  if cmd and cmd[1] then
    return cmd[1]
  end
  return M.options.bin
end

local function command()
  return M.options.cmd or { M.options.bin, "lsp" }
end

local function exists(path)
  return vim.loop.fs_stat(path) ~= nil
end

--- The project root of a file: the nearest directory above it holding one
--- of the root markers, else the file's directory.
function M.root_dir(fname)
  local dir = vim.fn.fnamemodify(fname, ":p:h")
  local current = dir
  while current and current ~= "" do
    for _, marker in ipairs(M.options.root_markers) do
      if exists(current .. "/" .. marker) then
        return current
      end
    end
    local parent = vim.fn.fnamemodify(current, ":h")
    if parent == current then
      break
    end
    current = parent
  end
  return dir
end

local function client_config(root)
  local settings = as_object(M.options.settings)
  local config = {
    name = M.name,
    cmd = command(),
    root_dir = root,
    settings = { ["privacy-lens"] = settings },
    init_options = settings,
    on_attach = M.options.on_attach,
    capabilities = M.options.capabilities,
    handlers = M.options.handlers,
    flags = M.options.flags,
  }
  if root then
    config.workspace_folders = { { uri = vim.uri_from_fname(root), name = root } }
  end
  return config
end

local function filetype_wanted(ft)
  for _, wanted in ipairs(M.options.filetypes) do
    if ft == wanted then
      return true
    end
  end
  return false
end

-- 0.7: one client per root, started with vim.lsp.start_client.
local clients_by_root = {}

-- Client methods are called with `:` from 0.11 on (`.` is deprecated there)
-- and with `.` before (where `client:stop()` would mean stop(force = client)).
local method_calls = vim.fn.has("nvim-0.11") == 1

local function is_stopped(client)
  if method_calls then
    return client:is_stopped()
  end
  return client.is_stopped()
end

--- Stops a client cleanly (shutdown, then exit).
function M.stop_client(client)
  if method_calls then
    client:stop()
  else
    client.stop()
  end
end

local function client_alive(id)
  local client = id and vim.lsp.get_client_by_id(id)
  return client ~= nil and not is_stopped(client)
end

--- Attaches buffer `buf` to the client of its project (0.7–0.10).
function M.attach(buf)
  buf = (buf == nil or buf == 0) and vim.api.nvim_get_current_buf() or buf
  if not vim.api.nvim_buf_is_valid(buf) or vim.bo[buf].buftype ~= "" then
    return nil
  end
  if not filetype_wanted(vim.bo[buf].filetype) then
    return nil
  end
  local fname = vim.api.nvim_buf_get_name(buf)
  local root = fname ~= "" and M.root_dir(fname) or vim.loop.cwd()
  local config = client_config(root)
  if vim.lsp.start then
    -- 0.8 attaches the current buffer (opts.bufnr came in 0.9).
    return vim.api.nvim_buf_call(buf, function()
      return vim.lsp.start(config, { bufnr = buf })
    end)
  end
  local id = clients_by_root[root]
  if not client_alive(id) then
    id = vim.lsp.start_client(config)
    if not id then
      notify("could not start " .. table.concat(config.cmd, " "), vim.log.levels.ERROR)
      return nil
    end
    clients_by_root[root] = id
  end
  vim.lsp.buf_attach_client(buf, id)
  return id
end

local function use_native()
  if M.options.native == false then
    return false
  end
  return vim.lsp.config ~= nil and vim.lsp.enable ~= nil and vim.fn.has("nvim-0.11") == 1
end

local missing_reported = false

local function check_binary()
  local bin = M.binary()
  if vim.fn.executable(bin) == 1 then
    return true
  end
  if not missing_reported then
    missing_reported = true
    notify(
      ("`%s` was not found. Install privacy-lens (`cargo install --path .` in a checkout) "
        .. "or pass its path: require(\"privacy-lens\").setup{ bin = \"/path/to/privacy-lens\" }"):format(bin),
      vim.log.levels.ERROR
    )
  end
  return false
end

--- Configures and starts the language server; safe to call again.
function M.setup(opts)
  M.options = vim.tbl_deep_extend("force", vim.deepcopy(defaults), opts or {})
  if opts and opts.filetypes then
    M.options.filetypes = opts.filetypes
  end
  if opts and opts.root_markers then
    M.options.root_markers = opts.root_markers
  end
  M.create_commands()
  missing_reported = false
  if not check_binary() then
    return
  end

  if use_native() then
    local config = client_config(nil)
    config.name = nil
    config.root_dir = nil
    config.workspace_folders = nil
    config.filetypes = M.options.filetypes
    config.root_markers = M.options.root_markers
    vim.lsp.config(M.name, config)
    vim.lsp.enable(M.name)
    return
  end

  local group = vim.api.nvim_create_augroup("privacy_lens", { clear = true })
  vim.api.nvim_create_autocmd("FileType", {
    group = group,
    pattern = M.options.filetypes,
    callback = function(args)
      M.attach(args.buf)
    end,
  })
  -- Buffers whose FileType event came before setup().
  for _, buf in ipairs(vim.api.nvim_list_bufs()) do
    if vim.api.nvim_buf_is_loaded(buf) then
      M.attach(buf)
    end
  end
end

--- The privacy-lens clients (attached to `buf` when given).
function M.clients(buf)
  local all = vim.lsp.get_clients and vim.lsp.get_clients({ name = M.name, bufnr = buf })
    or vim.lsp.get_active_clients()
  local out = {}
  for _, client in ipairs(all) do
    if client.name == M.name and (buf == nil or vim.lsp.buf_is_attached(buf, client.id)) then
      table.insert(out, client)
    end
  end
  return out
end

-- Scratch buffers for reports and explanations ------------------------------

local function show(name, lines, filetype)
  local existing = vim.fn.bufnr(name)
  if existing ~= -1 then
    vim.api.nvim_buf_delete(existing, { force = true })
  end
  vim.cmd("botright new")
  local buf = vim.api.nvim_get_current_buf()
  vim.bo[buf].buftype = "nofile"
  vim.bo[buf].bufhidden = "wipe"
  vim.bo[buf].swapfile = false
  pcall(vim.api.nvim_buf_set_name, buf, name)
  vim.api.nvim_buf_set_lines(buf, 0, -1, false, lines)
  vim.bo[buf].modifiable = false
  vim.bo[buf].filetype = filetype
  return buf
end

local function split_lines(text)
  local lines = vim.split(text, "\n", { plain = true })
  if lines[#lines] == "" then
    table.remove(lines)
  end
  return lines
end

--- Runs the binary asynchronously; calls `done(code, stdout, stderr)`.
local function run(args, cwd, done)
  local argv = { M.binary() }
  vim.list_extend(argv, args)
  local out, err = {}, {}
  local ok, job = pcall(vim.fn.jobstart, argv, {
    cwd = cwd,
    stdout_buffered = true,
    stderr_buffered = true,
    env = { NO_COLOR = "1" },
    on_stdout = function(_, data)
      out = data
    end,
    on_stderr = function(_, data)
      err = data
    end,
    on_exit = function(_, code)
      vim.schedule(function()
        done(code, table.concat(out, "\n"), table.concat(err, "\n"))
      end)
    end,
  })
  if not ok or job <= 0 then
    vim.schedule(function()
      done(-1, "", "cannot run " .. M.binary())
    end)
  end
end

local function first_line(text)
  return (vim.trim(text):gsub("\n.*", ""))
end

local REPORT_FORMATS = { "markdown", "html", "json", "fides" }

--- :PrivacyLensReport [format]: `privacy-lens report <root> --format <format>`.
--- Markdown, JSON and Fides YAML open in a split; HTML is written to a file
--- and opened with vim.ui.open where available (0.10+).
function M.report(format, done)
  format = (format and format ~= "") and format or "markdown"
  if not check_binary() then
    return
  end
  local buf = vim.api.nvim_get_current_buf()
  local fname = vim.api.nvim_buf_get_name(buf)
  local root = fname ~= "" and M.root_dir(fname) or vim.loop.cwd()
  run({ "report", root, "--format", format }, root, function(code, stdout, stderr)
    local result
    if code == 2 and (stderr:find("unrecognized subcommand", 1, true) or stderr:find("unexpected argument", 1, true)) then
      notify(
        ("this privacy-lens binary (%s) cannot build reports yet: it has no `report` command. "
          .. "Update privacy-lens to a version with `privacy-lens report`."):format(M.binary()),
        vim.log.levels.WARN
      )
      result = { unsupported = true }
    elseif (code ~= 0 and code ~= 1) or vim.trim(stdout) == "" then
      notify(("the report failed (status %d): %s"):format(code, first_line(stderr)), vim.log.levels.ERROR)
      result = { error = stderr }
    elseif format == "html" then
      local path = vim.fn.tempname() .. ".html"
      vim.fn.writefile(split_lines(stdout), path)
      if vim.ui and vim.ui.open then
        vim.ui.open(path)
      end
      notify("report written to " .. path)
      result = { path = path }
    else
      local filetype = ({ markdown = "markdown", json = "json", fides = "yaml" })[format] or ""
      result = { buf = show("privacy-lens://report." .. format, split_lines(stdout), filetype) }
    end
    if done then
      done(result)
    end
  end)
end

--- The code of the privacy-lens diagnostic under the cursor (or on its line).
function M.code_at_cursor()
  local buf = vim.api.nvim_get_current_buf()
  local cursor = vim.api.nvim_win_get_cursor(0)
  local row, col = cursor[1] - 1, cursor[2]
  local on_line
  for _, d in ipairs(vim.diagnostic.get(buf)) do
    if d.source == "privacy-lens" and d.code then
      local end_lnum = d.end_lnum or d.lnum
      if row >= d.lnum and row <= end_lnum then
        local after_start = row > d.lnum or col >= d.col
        local before_end = row < end_lnum or col <= (d.end_col or d.col)
        if after_start and before_end then
          return tostring(d.code)
        end
        on_line = on_line or tostring(d.code)
      end
    end
  end
  return on_line
end

--- :PrivacyLensExplain [CODE|CATEGORY|RISK]: `privacy-lens explain` in a
--- split; without an argument, the rule of the diagnostic under the cursor.
function M.explain(query, done)
  query = (query and query ~= "") and query or M.code_at_cursor()
  if not query then
    notify("no privacy-lens diagnostic under the cursor; use :PrivacyLensExplain PL101 (a rule, category or risk)", vim.log.levels.WARN)
    return
  end
  if not check_binary() then
    return
  end
  run({ "explain", query }, nil, function(code, stdout, stderr)
    local result
    if code ~= 0 or vim.trim(stdout) == "" then
      notify(("cannot explain %s: %s"):format(query, first_line(stderr)), vim.log.levels.ERROR)
      result = { error = stderr }
    else
      result = { buf = show("privacy-lens://explain/" .. query, split_lines(stdout), "markdown") }
    end
    if done then
      done(result)
    end
  end)
end

--- Rule codes and names for completion (`privacy-lens rules`).
function M.complete_rules(lead)
  if vim.fn.executable(M.binary()) ~= 1 then
    return {}
  end
  local out = {}
  for _, line in ipairs(vim.fn.systemlist({ M.binary(), "rules" })) do
    local code, name = line:match("^(PL%d+)%s+(%S+)")
    for _, word in ipairs({ code, name }) do
      if word and word:sub(1, #(lead or "")) == (lead or "") then
        table.insert(out, word)
      end
    end
  end
  return out
end

--- :PrivacyLensRestart: stops the clients; the FileType autocommand (or
--- vim.lsp.enable) starts them again for the open buffers.
function M.restart()
  local buffers, stopping = {}, M.clients()
  for _, client in ipairs(stopping) do
    for buf in pairs(client.attached_buffers or {}) do
      buffers[buf] = true
    end
    M.stop_client(client)
  end
  clients_by_root = {}
  -- Start again once every old client has exited (at most 5 s).
  local timer, waited, done = vim.loop.new_timer(), 0, false
  timer:start(20, 20, vim.schedule_wrap(function()
    if done then
      return
    end
    waited = waited + 20
    for _, client in ipairs(stopping) do
      if not is_stopped(client) and waited < 5000 then
        return
      end
    end
    done = true
    timer:stop()
    timer:close()
    for buf in pairs(buffers) do
      if vim.api.nvim_buf_is_valid(buf) then
        vim.api.nvim_exec_autocmds("FileType", { buffer = buf })
      end
    end
  end))
end

function M.create_commands()
  vim.api.nvim_create_user_command("PrivacyLensReport", function(args)
    M.report(args.args)
  end, {
    nargs = "?",
    complete = function(lead)
      return vim.tbl_filter(function(f)
        return f:sub(1, #lead) == lead
      end, REPORT_FORMATS)
    end,
    desc = "privacy-lens: the personal-data flow report of the project",
  })
  vim.api.nvim_create_user_command("PrivacyLensExplain", function(args)
    M.explain(args.args)
  end, {
    nargs = "?",
    complete = M.complete_rules,
    desc = "privacy-lens: explain a rule (default: the diagnostic under the cursor), category or risk",
  })
  vim.api.nvim_create_user_command("PrivacyLensRestart", function()
    M.restart()
  end, { desc = "privacy-lens: restart the language server" })
end

return M
