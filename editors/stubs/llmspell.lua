---@meta llmspell
-- Generated from the llmspell manifest by `llmspell api --stubs DIR`. Do not edit: a test fails when this file drifts from the manifest.

---The configuration of `agent.create`.
---@class AgentConfig
---@field name string The agent's name (non-empty); `agent.get` finds it by it.
---@field model? string `provider/model` or a configured alias; the default model when omitted.
---@field system_prompt? string The agent's role, sent as the system message.
---@field tools? (string|Tool)[] The tools the model may call: tool names or Tool objects.
---@field temperature? number The sampling temperature.
---@field max_tokens? integer The most tokens of one answer (a positive int).
---@field max_turns? integer The most model calls of one run (a positive int); then error `max_turns`. (default 8)
---@field memory? boolean Whether the conversation carries over from one run to the next. (default false)
---@field input_key? string The entry a map or State input is read from. (default "input")
---@field output_key? string The entry of the returned State the answer is stored under. (default "output")

---A branch of `workflow.conditional`.
---@class Branch
---@field when function `fn(State) -> bool`: whether this branch is taken.
---@field step Agent|Tool|Workflow|table|function|StepConfig The step run when it is.

---One message of a conversation.
---@class ChatMessage
---@field role string `"system"`, `"user"` or `"assistant"`.
---@field content string The message's text.

---The configuration of `workflow.conditional`.
---@class ConditionalConfig
---@field name string The workflow's name (non-empty).
---@field branches Branch[] Tried in order; the first whose `when` is true runs its step.
---@field otherwise? Agent|Tool|Workflow|table|function|StepConfig The step run when no branch is taken.

---The options of an HTTP request.
---@class HttpOptions
---@field headers? table<string, any> Extra request headers: name → value.
---@field timeout? number The timeout of the whole request, in seconds. (default 30)

---A request to a model: `prompt` or `messages` (or both: the prompt comes last).
---@class LlmRequest
---@field prompt? string The user message.
---@field messages? ChatMessage[] The conversation so far, oldest first.
---@field system? string The system prompt.
---@field model? string `provider/model` or a configured alias; the default model when omitted.
---@field temperature? number The sampling temperature.
---@field max_tokens? integer The most tokens of the answer (a positive int).
---@field schema? table<string, any> A JSON Schema: the answer is parsed and validated into the response's `data`.
---@field tools? (string|Tool)[] Tools the model may ask for (names or Tool objects); their calls come back in `tool_calls`, not run.

---The configuration of `workflow.loop`.
---@class LoopConfig
---@field name string The workflow's name (non-empty).
---@field step Agent|Tool|Workflow|table|function|StepConfig The step run on every iteration.
---@field until function `fn(State) -> bool`: called after each run; true ends the loop.
---@field max_iterations integer The most runs (a positive int); then error `max_iterations`.

---The configuration of `workflow.parallel`.
---@class ParallelConfig
---@field name string The workflow's name (non-empty).
---@field steps (Agent|Tool|Workflow|table|function|StepConfig)[] The steps, run concurrently; names must be distinct.
---@field max_concurrency? integer The most steps running at once (a positive int); all of them when omitted.

---Retries a failing step.
---@class RetryPolicy
---@field retry integer How many more times to run it (0 to 100).

---The configuration of `workflow.sequential`.
---@class SequentialConfig
---@field name string The workflow's name (non-empty).
---@field steps (Agent|Tool|Workflow|table|function|StepConfig)[] The steps, run in order.

---A step with a name or an error policy of its own: `{ name, run, on_error }`.
---@class StepConfig
---@field name? string The step's name (non-empty); else the runnable's name, else `step1`, `step2`…
---@field run Agent|Tool|Workflow|table|function What runs: an Agent, a Tool, a Workflow or a function.
---@field on_error? string|RetryPolicy `"fail"`, `"continue"` (record the error under `errors`, keep the State) or `{ retry = n }`. (default "fail")

---A tool the spell implements, for `tools.define`.
---@class ToolDefinition
---@field name string The tool's name: 1 to 64 letters, digits, `_` or `-`.
---@field description? string What the tool does; the model reads it.
---@field params? table<string, any> The JSON Schema of the arguments (an object schema; `{ type = "object" }` when omitted).
---@field run function Called with the validated arguments map; returns the result.

---An LLM with a role, tools and optional memory, made by `agent.create`. Usable as a workflow step (State in, State out).
---@class Agent
---@field name string The agent's name.
---@field model string The `provider/model` it uses.
local Agent_methods = {}

---Runs the agent on an input: the model is asked, the tools it requests run and their results go back to it, until it answers (or `max_turns` is reached: error `max_turns`). A map input sends its `input_key` entry (else the whole map as JSON); a State input reads `input_key` and returns a new State with the answer under `output_key`.
---
---```lua
---local a = agent.create({ name = "poet" })
---print(a:run("Write a haiku about Rust"))
---```
---@param input string|table<string, any>|State The user message, a map, or a State.
---@return string|State # The answer's text; a new State for a State input.
function Agent_methods:run(input) end

---Runs the agent like `run`, calling `on_chunk` with every piece of text the model produces, as it arrives.
---
---```lua
---local a = agent.create({ name = "poet" })
---a:stream("Write a haiku", function(chunk) print(chunk) end)
---```
---@param input string|table<string, any>|State The user message, a map, or a State.
---@param on_chunk function Called with each text delta (a string).
---@return string|State # As `run`: the answer's text, or a new State.
function Agent_methods:stream(input, on_chunk) end

---The conversation remembered: with `memory`, every run's input and answer; without, the last run's.
---
---```lua
---local a = agent.create({ name = "chat", memory = true })
---a:run("hi")
---print(#a:history())  -- 2
---```
---@return table<string, any>[] # `{ role, content }` per message, oldest first.
function Agent_methods:history() end

---Forgets the conversation.
---
---```lua
---local a = agent.create({ name = "chat", memory = true })
---a:reset()
---```
function Agent_methods:reset() end

---An immutable map of values. `set` and `merge` return a new State and leave the receiver unchanged; nil values are never stored. `json.encode` and `print` show its map.
---@class State
local State_methods = {}

---Reads one entry.
---
---```lua
---local s = state.create({ topic = "rust" })
---print(s:get("topic"))  -- rust
---```
---@param key string The key.
---@return any # The value, or nil when the key is absent.
function State_methods:get(key) end

---Lists the keys.
---
---```lua
---local s = state.create({ b = 1, a = 2 })
---print(s:keys())  -- ["a","b"]
---```
---@return string[] # The keys, in sorted order.
function State_methods:keys() end

---Copies the entries into a plain map.
---
---```lua
---local s = state.create({ topic = "rust" })
---local m = s:to_map()
---print(m.topic)  -- rust
---```
---@return table<string, any> # The entries.
function State_methods:to_map() end

---Makes a new State with one entry changed; the receiver is unchanged.
---
---```lua
---local s1 = state.create({ n = 1 })
---local s2 = s1:set("n", 2)
---print(s1:get("n"), s2:get("n"))  -- 1 2
---```
---@param key string The key.
---@param value any The new value; nil removes the key.
---@return State # The new state.
function State_methods:set(key, value) end

---Makes a new State with every entry of a map applied on top; the receiver is unchanged.
---
---```lua
---local s = state.create({ a = 1 }):merge({ b = 2 })
---print(s:keys())  -- ["a","b"]
---```
---@param values table<string, any> The entries to add or replace; nil values remove keys.
---@return State # The new state.
function State_methods:merge(values) end

---A tool: built in or defined with `tools.define`. Usable in an agent's `tools`, in `llm.chat` requests and as a workflow step (the step's State becomes the arguments).
---@class Tool
---@field name string The tool's name.
---@field description string What the tool does.
local Tool_methods = {}

---Calls the tool. The arguments are validated against its schema first (`invalid_argument` naming the failing path).
---
---```lua
---local calc = tools.get("calculator")
---print(calc:call({ expression = "1 + 1" }))  -- 2
---```
---@param args? table<string, any> The arguments; an empty map when omitted.
---@return any # What the tool returns.
function Tool_methods:call(args) end

---A composed workflow made by `workflow.sequential`, `parallel`, `conditional` or `loop`. It can itself be a step of another workflow.
---@class Workflow
---@field name string The workflow's name.
---@field kind string `"sequential"`, `"parallel"`, `"conditional"` or `"loop"`.
local Workflow_methods = {}

---Runs the workflow. A string input becomes the State `{ input = <string> }`, a map the State of its entries; a State is used as is. Each step receives the current State and its result is folded in: a State replaces it, a map is merged into it (nil removes a key), nil leaves it unchanged, any other value is stored under `output`. A parallel workflow returns its input State with one entry per step (step name → output).
---
---```lua
---local w = workflow.sequential({ name = "w", steps = { function(s) return "done" end } })
---print(w:run("go"):get("output"))  -- done
---```
---@param input string|table<string, any>|State The starting input.
---@return State # The final State.
function Workflow_methods:run(input) end

---Agents: an LLM with a role (system prompt), tools and optional memory. `run` performs the model's native tool-calling loop: the model asks for tools, they run (arguments validated against their schema), their results go back, until the model answers or `max_turns` model calls were made (error `max_turns`). A failing tool call — bad arguments, an unknown tool, an error the tool raises — is not raised: it is sent back to the model as `{"error": {code, message}}` so it can correct itself (limits and termination still end the spell). Runs emit `agent.start` and `agent.end`.
agent = {}

---Creates an agent and registers it under its name (replacing an agent of the same name). Tool names are looked up now; an unknown name, model or config key is an error.
---
---```lua
---local helper = agent.create({ name = "helper", system_prompt = "Be brief", tools = { "calculator" } })
---print(helper:run("What is 6 * 7?"))
---```
---@param config AgentConfig The agent's name, model, role, tools and limits.
---@return Agent # The new agent.
function agent.create(config) end
agent.new = agent.create

---Finds an agent created by this spell.
---
---```lua
---local helper = agent.get("helper")
---```
---@param name string The agent's name.
---@return Agent # The agent, or nil.
function agent.get(name) end

---Lists the names of the agents this spell created.
---
---```lua
---for _, name in ipairs(agent.list()) do print(name) end
---```
---@return string[] # The names, sorted.
function agent.list() end

---Another name of `agent`.
Agent = agent

---Observe and signal. Handlers receive `{ name, time, data }` (`time` in seconds since the Unix epoch) on the spell's thread, in subscription order. The runtime emits `spell.start/end`, `llm.request/response`, `agent.start/end`, `tool.call/result`, `workflow.start/end`, `workflow.step.start/end` and `error`.
events = {}

---Subscribes a handler to every event whose name matches a pattern. In patterns `*` matches any run of characters: `"workflow.*"` matches `workflow.step.start`, `"*"` matches everything.
---
---```lua
---local id = events.on("workflow.*", function(event) print(event.name) end)
---```
---@param pattern string The event names to receive, with `*` wildcards.
---@param handler function Called with each matching event `{ name, time, data }`.
---@return integer # The subscription id, for `events.off`.
function events.on(pattern, handler) end

---Removes a subscription made with `events.on`.
---
---```lua
---local id = events.on("tick", function(event) end)
---print(events.off(id))  -- true
---```
---@param id integer The subscription id `events.on` returned.
---@return boolean # `true` when the subscription existed.
function events.off(id) end

---Emits an event: every matching handler runs, in subscription order, before `emit` returns. An error raised by a handler propagates to the caller of `emit`.
---
---```lua
---events.emit("report.ready", { pages = 3 })
---```
---@param name string The event name (`report.ready`).
---@param data? any The event's payload; left out of the event when nil.
function events.emit(name, data) end

---Text files in the workspace. Paths are relative to the workspace root (absolute paths must lie inside it); `..` escapes and symbolic links leading outside are `sandbox_denied`, missing files `not_found`, other failures `io`.
fs = {}

---Reads a whole UTF-8 text file.
---
---```lua
---local text = fs.read("notes/today.md")
---```
---@param path string The file, relative to the workspace root.
---@return string # The file's contents.
function fs.read(path) end

---Writes a text file, replacing it if it exists and creating missing parent folders.
---
---```lua
---fs.write("out/report.md", "# Report\n")
---```
---@param path string The file, relative to the workspace root.
---@param text string The new contents.
function fs.write(path, text) end

---Appends text to a file, creating it (and missing parent folders) if needed.
---
---```lua
---fs.append("out/log.txt", "step done\n")
---```
---@param path string The file, relative to the workspace root.
---@param text string The text to add at the end.
function fs.append(path, text) end

---Whether a file or folder exists. Paths outside the workspace are still an error.
---
---```lua
---if fs.exists("cache.json") then print("cached") end
---```
---@param path string The file or folder, relative to the workspace root.
---@return boolean # `true` when something exists at the path.
function fs.exists(path) end

---Lists the names of the entries of a folder (files and folders), sorted.
---
---```lua
---for _, name in ipairs(fs.list("notes")) do print(name) end
---```
---@param dir? string The folder, relative to the workspace root; the root itself when omitted.
---@return string[] # The entry names (not paths), in sorted order.
function fs.list(dir) end

---Removes a file, or a folder with everything in it. A symbolic link is removed itself, not what it points to.
---
---```lua
---fs.remove("out/old.txt")
---```
---@param path string The file or folder, relative to the workspace root.
function fs.remove(path) end

---HTTP requests subject to the network policy: only `http` and `https` URLs; loopback, private, link-local and other non-public addresses (also when a name resolves to one, and after every redirect) are `sandbox_denied` unless `sandbox.allow_private_network` is set or the host is in `sandbox.allow_hosts`. A response of any status is returned, not raised; network failures are `http`, an expired timeout `http_timeout`.
http = {}

---Sends a GET request and reads the whole response (at most 10 MiB).
---
---```lua
---local response = http.get("https://example.com/data.json")
---if response.status == 200 then print(#response.body) end
---```
---@param url string The `http://` or `https://` URL.
---@param opts? HttpOptions Extra request headers and the timeout.
---@return table<string, any> # `{ status: int, headers: map (lower-case names), body: str }`.
function http.get(url, opts) end

---Sends a POST request and reads the whole response (at most 10 MiB). A map or list body is sent as JSON with `content-type: application/json` (unless the headers set one); a string is sent as is.
---
---```lua
---local response = http.post("https://example.com/api", { query = "rust" }, { timeout = 10 })
---print(response.status)
---```
---@param url string The `http://` or `https://` URL.
---@param body string|table<string, any>|any[] The request body: text, or a map or list to send as JSON.
---@param opts? HttpOptions Extra request headers and the timeout.
---@return table<string, any> # `{ status: int, headers: map (lower-case names), body: str }`.
function http.post(url, body, opts) end

---JSON text to and from values. Object keys are always written sorted.
json = {}

---Encodes a value as JSON. Map keys are sorted, integers stay integers and integral floats keep a `.0`. Host objects with a plain form (a `State`) encode as that form; functions cannot be encoded.
---
---```lua
---local text = json.encode({ name = "ada", tags = { "x", "y" } })
---print(text)  -- {"name":"ada","tags":["x","y"]}
---```
---@param value any The value to encode.
---@param pretty? boolean Indent with two spaces and one item per line.
---@return string # The JSON text.
function json.encode(value, pretty) end

---Decodes JSON text. Objects become maps, arrays lists, integral numbers integers and other numbers floats; `null` becomes nil. Invalid JSON raises an error with code `json` giving the line and column.
---
---```lua
---local data = json.decode('{"n": 1, "tags": ["a"]}')
---print(data.n)  -- 1
---```
---@param text string The JSON text.
---@return any # The decoded value.
function json.decode(text) end

---Direct model access. A request is a prompt string or a map `{ prompt?, messages?, system?, model?, temperature?, max_tokens?, schema?, tools? }`; `model` is `provider/model` or a configured alias (the default model when omitted). A `Response` is a map `{ text, model, provider, finish_reason, usage = { input_tokens, output_tokens }, tool_calls = [{ id, name, arguments }], data? }`. Provider failures raise `provider_auth`, `provider_rate_limit`, `provider_http`, `provider_timeout` or `invalid_response`; calls emit `llm.request` and `llm.response`.
llm = {}

---Asks the model and returns the text of its answer.
---
---```lua
---print(llm.complete("Say hi"))
---```
---@param prompt string|LlmRequest The prompt, or a request map.
---@return string # The answer's text.
function llm.complete(prompt) end

---Sends a request and returns the full answer. With `schema` (a JSON Schema), the answer is parsed and validated into `data`. With `tools` (names or Tool objects), the model may answer with `tool_calls` (not run: `agent` runs them).
---
---```lua
---local r = llm.chat({ prompt = "Name a colour", system = "Answer in one word" })
---print(r.text, r.provider, r.usage.output_tokens)
---```
---@param request string|LlmRequest The request map, or a prompt.
---@return table<string, any> # The `Response` map.
function llm.chat(request) end

---Sends a request and calls `on_chunk` with every piece of the answer's text as it arrives, in order; returns the full answer at the end.
---
---```lua
---local r = llm.stream("Tell a story", function(chunk) print(chunk) end)
---```
---@param request string|LlmRequest The request map, or a prompt.
---@param on_chunk function Called with each text delta (a string).
---@return table<string, any> # The `Response` map, once the answer is complete.
function llm.stream(request, on_chunk) end

---Lists the configured providers as the configuration describes them (never their keys). `base_url` is the configured base URL, nil when the configuration gives none (the kind's default endpoint is then used). `available` says whether the provider is usable without a network probe: `scripted` and `ollama` providers always are; any other is when its API key is set, if it needs one (kinds `openai`, `anthropic` and `gemini` always do, others when their configuration names `api_key_env`). Reachability is not checked: `llmspell models` does that.
---
---```lua
---for _, p in ipairs(llm.providers()) do print(p.name, p.kind, p.available) end
---```
---@return table<string, any>[] # `{ name, kind, base_url, available }` per provider, sorted by name.
function llm.providers() end

---Lists the models the configuration names for one provider or for all: each provider's configured models, and for the provider of the default model that model too (aliases followed).
---
---```lua
---for _, m in ipairs(llm.models()) do print(m) end
---```
---@param provider? string Only this provider's models; every provider's when omitted.
---@return string[] # `provider/model` strings (usable as `model`), sorted.
function llm.models(provider) end

---Structured logging to stderr through `tracing` (target `spell`), with optional fields.
log = {}

---Logs a debug message, shown only when debug logging is on.
---
---```lua
---log.debug("cache miss", { key = "topic" })
---```
---@param msg string The message.
---@param fields? table<string, any> Structured fields, logged as one JSON object with sorted keys.
function log.debug(msg, fields) end

---Logs an informational message.
---
---```lua
---log.info("fetched page", { url = "https://example.com", bytes = 512 })
---```
---@param msg string The message.
---@param fields? table<string, any> Structured fields, logged as one JSON object with sorted keys.
function log.info(msg, fields) end

---Logs a warning.
---
---```lua
---log.warn("retrying", { attempt = 2 })
---```
---@param msg string The message.
---@param fields? table<string, any> Structured fields, logged as one JSON object with sorted keys.
function log.warn(msg, fields) end

---Logs an error. It does not stop the spell: raise an error for that.
---
---```lua
---log.error("step failed", { step = "summarise" })
---```
---@param msg string The message.
---@param fields? table<string, any> Structured fields, logged as one JSON object with sorted keys.
function log.error(msg, fields) end

---The spell's parameters, a map from name to value (`llmspell run s.lua -p topic=rust` gives `params.topic == "rust"`). Absent parameters read as nil.
---@type table<string, any>
params = {}

---Writes its arguments to standard output as text, separated by one space, followed by a newline. Strings are written as they are, `nil` as `nil`, lists and maps as compact JSON with sorted keys: the same bytes in every engine.
---@param ... any The values to write, in order.
function print(...) end

---Facts about the running spell: its name, path and engine.
---@class llmspell.spell
---@field name string The spell's file name without its extension (`research`).
---@field path string The spell's path, as given to `llmspell run`.
---@field engine string The engine running it: `"lua"`, `"js"` or `"rhai"`.
spell = {}

---Immutable `State` values, and a persistent key-value store (embedded SQLite in `.llmspell/state.db`) shared by every spell and engine of the workspace.
state = {}

---Creates a `State` from a map. Nil values are left out.
---
---```lua
---local s = state.create({ topic = "rust" })
---print(s:get("topic"))  -- rust
---```
---@param values? table<string, any> The initial entries; empty when omitted.
---@return State # The new state.
function state.create(values) end
state.new = state.create

---Stores a value under a key in the workspace's persistent store, replacing any previous one. Values are stored as JSON: a `State` saves as its map, functions cannot be saved, and saving nil deletes the key.
---
---```lua
---state.save("last_topic", "rust")
---```
---@param key string The key.
---@param value any The value to store.
function state.save(key, value) end

---Reads a value from the workspace's persistent store.
---
---```lua
---local topic = state.load("last_topic") or "default"
---```
---@param key string The key.
---@return any # The stored value (a saved `State` comes back as a map), or nil.
function state.load(key) end

---Removes a key from the workspace's persistent store.
---
---```lua
---local removed = state.delete("last_topic")
---```
---@param key string The key.
---@return boolean # `true` when the key existed.
function state.delete(key) end

---Lists the keys of the workspace's persistent store, sorted.
---
---```lua
---for _, key in ipairs(state.list("cache/")) do print(key) end
---```
---@param prefix? string Only keys starting with this text (compared literally); all keys when omitted.
---@return string[] # The keys, in sorted order.
function state.list(prefix) end

---Another name of `state`.
State = state

---Callable capabilities with a JSON Schema for their arguments, usable directly, by agents and as workflow steps. Built in: `file_read`, `file_write`, `file_list` (confined to the workspace), `json_query` (dotted paths: `items[0].name`, `items[*].name`), `calculator` (+ - * / % ^, parentheses, sqrt, abs, min, max, …) and `datetime` (UTC, ISO 8601 or a strftime format). Arguments are validated against the schema before a tool runs (`invalid_argument` naming the failing path); calls emit `tool.call` and `tool.result`.
tools = {}

---Lists every tool: the built-in ones and those the spell defined.
---
---```lua
---for _, t in ipairs(tools.list()) do print(t.name) end
---```
---@return table<string, any>[] # `{ name, description, params, builtin }` per tool, sorted by name.
function tools.list() end

---Finds a tool by name.
---
---```lua
---local calc = tools.get("calculator")
---print(calc:call({ expression = "6 * 7" }))  -- 42
---```
---@param name string The tool's name.
---@return Tool # The tool, or nil when there is none.
function tools.get(name) end

---Calls a tool by name. The arguments are validated against its schema first (`invalid_argument` naming the failing path); an unknown name is `not_found`.
---
---```lua
---print(tools.call("calculator", { expression = "2 ^ 10" }))  -- 1024
---```
---@param name string The tool's name.
---@param args? table<string, any> The arguments; an empty map when omitted.
---@return any # What the tool returns.
function tools.call(name, args) end

---Defines a tool the spell implements, usable by `tools.call`, by agents (list it or its name in `tools`) and as a workflow step. `params` is the JSON Schema of the arguments (an object schema; `{ type = "object" }` when omitted); `run` receives the validated arguments map. Redefining a name replaces the earlier tool; built-in names are taken.
---
---```lua
---local shout = tools.define({
---  name = "shout",
---  description = "Upper-cases a text",
---  params = { type = "object", properties = { text = { type = "string" } }, required = { "text" } },
---  run = function(args) return string.upper(args.text) end,
---})
---print(shout:call({ text = "hi" }))  -- HI
---```
---@param spec ToolDefinition The name, description, argument schema and function of the tool.
---@return Tool # The new tool.
function tools.define(spec) end

---Compose agents, tools, script functions and workflows. `Workflow.run(input)` starts from a State (a string input becomes `{ input = <string> }`, a map its entries); each step receives the current State and its result is folded in: a State replaces it, a map is merged into it (nil removes a key), nil leaves it, any other value is stored under `output`. Steps failing with `on_error = "continue"` are recorded under `errors` (step name → `{ code, message }`). Errors name the workflow and the step and keep the step's code. Events: `workflow.start/end` `{ workflow, kind, ok }`, `workflow.step.start/end` `{ workflow, step, ok, attempts }`.
workflow = {}

---A workflow that runs its steps one after another, each on the State the previous one left.
---
---```lua
---local pipeline = workflow.sequential({
---  name = "pipeline",
---  steps = {
---    function(s) return { topic = s:get("input") } end,
---    { name = "shout", run = function(s) return string.upper(s:get("topic")) end },
---  },
---})
---print(pipeline:run("rust"):get("output"))  -- RUST
---```
---@param config SequentialConfig The name and steps. A step is an Agent, a Tool, a Workflow, a function `fn(State) -> State|map|str`, or `{ name, run, on_error }`.
---@return Workflow # The workflow; run it with `run`.
function workflow.sequential(config) end

---A workflow that runs its steps concurrently, each on the same input State; the result is that State with one entry per step: step name → output (a State output as its map). Agent, tool and HTTP steps wait on I/O together; script functions run one at a time on the spell's thread.
---
---```lua
---local both = workflow.parallel({
---  name = "both",
---  steps = {
---    { name = "upper", run = function(s) return string.upper(s:get("input")) end },
---    { name = "lower", run = function(s) return string.lower(s:get("input")) end },
---  },
---  max_concurrency = 2,
---})
---local result = both:run("Rust")
---print(result:get("upper"), result:get("lower"))  -- RUST rust
---```
---@param config ParallelConfig The name, steps and concurrency: at most `max_concurrency` steps run at once (all of them when omitted). Step names must be distinct.
---@return Workflow # The workflow; run it with `run`.
function workflow.parallel(config) end

---A workflow that runs the step of the first branch whose `when(State)` returns true, else the `otherwise` step, else nothing (the State passes unchanged).
---
---```lua
---local route = workflow.conditional({
---  name = "route",
---  branches = {
---    { when = function(s) return #s:get("input") > 10 end, step = function(s) return "long" end },
---  },
---  otherwise = function(s) return "short" end,
---})
---print(route:run("hi"):get("output"))  -- short
---```
---@param config ConditionalConfig The name, branches and otherwise step. Unnamed branch steps are named `step1`, `step2`… by branch, the otherwise step `otherwise`.
---@return Workflow # The workflow; run it with `run`.
function workflow.conditional(config) end

---A workflow that runs its step, then calls `until(State)`, again and again: it ends with the State when `until` returns true, and fails with `max_iterations` when `until` is still false after `max_iterations` runs.
---
---```lua
---local count = workflow.loop({
---  name = "count",
---  step = function(s) return { n = (s:get("n") or 0) + 1 } end,
---  ["until"] = function(s) return s:get("n") >= 3 end,
---  max_iterations = 10,
---})
---print(count:run({}):get("n"))  -- 3
---```
---@param config LoopConfig The name, step, stop condition and iteration limit. An unnamed function step is named `step1`.
---@return Workflow # The workflow; run it with `run`.
function workflow.loop(config) end

