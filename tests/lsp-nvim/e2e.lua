-- The language server in a real client: headless Neovim, registering `llmspell lsp` the way a
-- plugin does (vim.lsp.config + vim.lsp.enable, root marker llmspell.toml), opens a spell in
-- each language and checks, through vim.lsp, what a user sees: completion after `agent.` lists
-- `create`; completion on an agent (`a:` in Lua, `a.` in JavaScript and Rhai) lists `run`;
-- hover on `agent.create` shows its doc; the typo `agent.craete` gets a diagnostic; signature
-- help shows the active parameter; go to definition jumps to a local's declaration. Then it
-- sends hostile input and checks the server is still answering.
--
-- Usage: nvim --headless --clean -l e2e.lua LLMSPELL_BINARY WORKSPACE

local binary, workspace = arg[1], arg[2]
assert(binary and workspace, 'usage: e2e.lua LLMSPELL_BINARY WORKSPACE')

local TIMEOUT = 20000
local failures = {}
local checks = 0

local function check(condition, what, detail)
  checks = checks + 1
  if condition then
    io.stdout:write(('ok   %s\n'):format(what))
  else
    io.stdout:write(('FAIL %s: %s\n'):format(what, vim.inspect(detail)))
    table.insert(failures, what)
  end
end

vim.filetype.add({ extension = { rhai = 'rhai', mjs = 'javascript' } })
vim.lsp.config('llmspell', {
  cmd = { binary, 'lsp', '--stdio' },
  filetypes = { 'lua', 'javascript', 'rhai' },
  root_markers = { 'llmspell.toml' },
})
vim.lsp.enable('llmspell')

--- The llmspell client attached to `buf`, once initialized.
local function attached_client(buf)
  local client
  vim.wait(TIMEOUT, function()
    client = vim.lsp.get_clients({ bufnr = buf, name = 'llmspell' })[1]
    return client ~= nil and client.initialized == true
  end, 20)
  return client
end

--- The zero-based line and column of the first `needle` on a line containing `line_pattern`
--- (the spells are ASCII, so byte columns are UTF-16 columns).
local function find(buf, line_pattern, needle)
  for index, text in ipairs(vim.api.nvim_buf_get_lines(buf, 0, -1, false)) do
    if text:find(line_pattern, 1, true) then
      local column = text:find(needle, 1, true)
      if column then
        return index - 1, column - 1
      end
    end
  end
  error(('no %q on a line with %q'):format(needle, line_pattern))
end

local function request(client, buf, method, line, character)
  local params = {
    textDocument = { uri = vim.uri_from_bufnr(buf) },
    position = { line = line, character = character },
  }
  local response, err = client:request_sync(method, params, TIMEOUT, buf)
  if not response then
    return nil, err
  end
  return response.result, response.err
end

local function labels(result)
  local items = result and (result.items or result) or {}
  local names = {}
  for _, item in ipairs(items) do
    names[item.label] = true
  end
  return names
end

--- Appends `text` as a new last line (Neovim sends it as an incremental didChange) and returns
--- the completion labels at its end.
local function complete_after(client, buf, text)
  local last = vim.api.nvim_buf_line_count(buf)
  vim.api.nvim_buf_set_lines(buf, last, last, false, { text })
  local result, err = request(client, buf, 'textDocument/completion', last, #text)
  vim.api.nvim_buf_set_lines(buf, last, last + 1, false, {})
  return labels(result), err
end

local function hover_text(result)
  if not result or not result.contents then
    return ''
  end
  local contents = result.contents
  return type(contents) == 'table' and (contents.value or vim.inspect(contents)) or tostring(contents)
end

local function check_spell(file, method_trigger)
  local language = file:match('%.(%w+)$')
  vim.cmd.edit(vim.fs.joinpath(workspace, file))
  local buf = vim.api.nvim_get_current_buf()
  local client = attached_client(buf)
  check(client ~= nil, language .. ': the server attaches', vim.bo[buf].filetype)
  if not client then
    return
  end
  check(client.config.root_dir == workspace, language .. ': the root is the llmspell.toml folder', client.config.root_dir)

  local diagnostics = {}
  vim.wait(TIMEOUT, function()
    diagnostics = vim.diagnostic.get(buf)
    return #diagnostics > 0
  end, 20)
  local typo_line = find(buf, 'craete', 'craete')
  local typo
  for _, diagnostic in ipairs(diagnostics) do
    if diagnostic.lnum == typo_line and diagnostic.message:find('craete', 1, true) then
      typo = diagnostic
    end
  end
  check(typo ~= nil, language .. ': agent.craete gets a diagnostic', diagnostics)
  check(#diagnostics == 1, language .. ': and nothing else is flagged', diagnostics)

  local modules = complete_after(client, buf, 'agent.')
  check(modules.create, language .. ': completion after agent. lists create', vim.tbl_keys(modules))

  local methods = complete_after(client, buf, 'a' .. method_trigger)
  check(methods.run, language .. ': completion on a' .. method_trigger .. ' lists run', vim.tbl_keys(methods))

  local line, column = find(buf, 'agent.create', 'create')
  local hover = request(client, buf, 'textDocument/hover', line, column + 2)
  check(hover_text(hover):find('Creates an agent', 1, true), language .. ': hover on agent.create shows its doc', hover)

  line, column = find(buf, 'a' .. method_trigger .. 'stream', 'helper')
  local help = request(client, buf, 'textDocument/signatureHelp', line, column)
  local active = help and help.activeParameter
  local signature = help and help.signatures and help.signatures[(help.activeSignature or 0) + 1]
  local parameter = signature and active and signature.parameters[active + 1]
  local parameter_label = parameter
      and (type(parameter.label) == 'table' and signature.label:sub(parameter.label[1] + 1, parameter.label[2]) or parameter.label)
    or ''
  check(active == 1 and parameter_label:find('on_chunk', 1, true), language .. ': signature help shows the active parameter', help)

  line, column = find(buf, 'print(helper)', 'helper')
  local definition = request(client, buf, 'textDocument/definition', line, column + 1)
  local location = definition and (definition.range and definition or definition[1])
  local declaration_line, declaration_column = find(buf, 'helper =', 'helper')
  check(
    location and location.range.start.line == declaration_line and location.range.start.character == declaration_column,
    language .. ': go to definition jumps to the local declaration',
    definition
  )
  return client, buf
end

local client, buf
for _, spell in ipairs({ { 'spell.lua', ':' }, { 'spell.js', '.' }, { 'spell.rhai', '.' } }) do
  local ok, err = pcall(function()
    client, buf = check_spell(spell[1], spell[2])
  end)
  check(ok, spell[1] .. ': no error in the checks', err)
end

-- Hostile input through the same client: an out-of-range position, an unknown method, and a
-- storm of edits; the server must still answer afterwards.
if client and buf then
  local _, err = request(client, buf, 'textDocument/hover', 100000, 100000)
  check(err == nil, 'an out-of-range hover is answered without an error', err)
  local response = client:request_sync('llmspell/noSuchMethod', {}, TIMEOUT, buf)
  check(response and response.err and response.err.code == -32601, 'an unknown method is MethodNotFound', response)
  for index = 1, 200 do
    vim.api.nvim_buf_set_lines(buf, 0, 0, false, { ('let storm_%d = %d;'):format(index, index) })
  end
  local modules = complete_after(client, buf, 'agent.')
  check(modules.create, 'after 200 edits the server still completes', vim.tbl_keys(modules))
  local line_count = vim.api.nvim_buf_line_count(buf)
  local text = table.concat(vim.api.nvim_buf_get_lines(buf, 0, -1, false), '\n') .. '\n'
  local server = client:request_sync('llmspell/documentText', { uri = vim.uri_from_bufnr(buf) }, TIMEOUT, buf)
  check(server and server.result and server.result.text == text, 'the server has the buffer text after the edits', line_count)
end

for _, each in ipairs(vim.lsp.get_clients({ name = 'llmspell' })) do
  each:stop()
end
vim.wait(5000, function()
  return #vim.lsp.get_clients({ name = 'llmspell' }) == 0
end, 20)

io.stdout:write(('%d checks, %d failed\n'):format(checks, #failures))
if #failures > 0 then
  io.stdout:write('failed: ' .. table.concat(failures, '; ') .. '\n')
  os.exit(1)
end
os.exit(0)
