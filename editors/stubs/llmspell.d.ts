// Generated from the llmspell manifest by `llmspell api --stubs DIR`. Do not edit: a test fails when this file drifts from the manifest.
// Ambient declarations of the llmspell host API: no import or export, so they apply to
// every spell checked with `allowJs` + `checkJs`.

/** The configuration of `agent.create`. */
interface AgentConfig {
  /** The agent's name (non-empty); `agent.get` finds it by it. */
  name: string;
  /** `provider/model` or a configured alias; the default model when omitted. */
  model?: string;
  /** The agent's role, sent as the system message. */
  system_prompt?: string;
  /** The tools the model may call: tool names or Tool objects. */
  tools?: (string | Tool)[];
  /** The sampling temperature. */
  temperature?: number;
  /** The most tokens of one answer (a positive int). */
  max_tokens?: number;
  /**
   * The most model calls of one run (a positive int); then error `max_turns`.
   *
   * @defaultValue `8`
   */
  max_turns?: number;
  /**
   * Whether the conversation carries over from one run to the next.
   *
   * @defaultValue `false`
   */
  memory?: boolean;
  /**
   * The entry a map or State input is read from.
   *
   * @defaultValue `"input"`
   */
  input_key?: string;
  /**
   * The entry of the returned State the answer is stored under.
   *
   * @defaultValue `"output"`
   */
  output_key?: string;
}

/** A branch of `workflow.conditional`. */
interface Branch {
  /** `fn(State) -> bool`: whether this branch is taken. */
  when: (...args: any[]) => any;
  /** The step run when it is. */
  step: Agent | Tool | Workflow | object | ((...args: any[]) => any) | StepConfig;
}

/** One message of a conversation. */
interface ChatMessage {
  /** `"system"`, `"user"` or `"assistant"`. */
  role: string;
  /** The message's text. */
  content: string;
}

/** The configuration of `workflow.conditional`. */
interface ConditionalConfig {
  /** The workflow's name (non-empty). */
  name: string;
  /** Tried in order; the first whose `when` is true runs its step. */
  branches: Branch[];
  /** The step run when no branch is taken. */
  otherwise?: Agent | Tool | Workflow | object | ((...args: any[]) => any) | StepConfig;
}

/** The options of an HTTP request. */
interface HttpOptions {
  /** Extra request headers: name → value. */
  headers?: { [key: string]: any };
  /**
   * The timeout of the whole request, in seconds.
   *
   * @defaultValue `30`
   */
  timeout?: number;
}

/** A request to a model: `prompt` or `messages` (or both: the prompt comes last). */
interface LlmRequest {
  /** The user message. */
  prompt?: string;
  /** The conversation so far, oldest first. */
  messages?: ChatMessage[];
  /** The system prompt. */
  system?: string;
  /** `provider/model` or a configured alias; the default model when omitted. */
  model?: string;
  /** The sampling temperature. */
  temperature?: number;
  /** The most tokens of the answer (a positive int). */
  max_tokens?: number;
  /** A JSON Schema: the answer is parsed and validated into the response's `data`. */
  schema?: { [key: string]: any };
  /** Tools the model may ask for (names or Tool objects); their calls come back in `tool_calls`, not run. */
  tools?: (string | Tool)[];
}

/** The configuration of `workflow.loop`. */
interface LoopConfig {
  /** The workflow's name (non-empty). */
  name: string;
  /** The step run on every iteration. */
  step: Agent | Tool | Workflow | object | ((...args: any[]) => any) | StepConfig;
  /** `fn(State) -> bool`: called after each run; true ends the loop. */
  until: (...args: any[]) => any;
  /** The most runs (a positive int); then error `max_iterations`. */
  max_iterations: number;
}

/** The configuration of `workflow.parallel`. */
interface ParallelConfig {
  /** The workflow's name (non-empty). */
  name: string;
  /** The steps, run concurrently; names must be distinct. */
  steps: (Agent | Tool | Workflow | object | ((...args: any[]) => any) | StepConfig)[];
  /** The most steps running at once (a positive int); all of them when omitted. */
  max_concurrency?: number;
}

/** Retries a failing step. */
interface RetryPolicy {
  /** How many more times to run it (0 to 100). */
  retry: number;
}

/** The configuration of `workflow.sequential`. */
interface SequentialConfig {
  /** The workflow's name (non-empty). */
  name: string;
  /** The steps, run in order. */
  steps: (Agent | Tool | Workflow | object | ((...args: any[]) => any) | StepConfig)[];
}

/** A step with a name or an error policy of its own: `{ name, run, on_error }`. */
interface StepConfig {
  /** The step's name (non-empty); else the runnable's name, else `step1`, `step2`… */
  name?: string;
  /** What runs: an Agent, a Tool, a Workflow or a function. */
  run: Agent | Tool | Workflow | object | ((...args: any[]) => any);
  /**
   * `"fail"`, `"continue"` (record the error under `errors`, keep the State) or `{ retry = n }`.
   *
   * @defaultValue `"fail"`
   */
  on_error?: string | RetryPolicy;
}

/** A tool the spell implements, for `tools.define`. */
interface ToolDefinition {
  /** The tool's name: 1 to 64 letters, digits, `_` or `-`. */
  name: string;
  /** What the tool does; the model reads it. */
  description?: string;
  /** The JSON Schema of the arguments (an object schema; `{ type = "object" }` when omitted). */
  params?: { [key: string]: any };
  /** Called with the validated arguments map; returns the result. */
  run: (...args: any[]) => any;
}

/** An LLM with a role, tools and optional memory, made by `agent.create`. Usable as a workflow step (State in, State out). */
interface Agent {
  /** The agent's name. */
  readonly name: string;
  /** The `provider/model` it uses. */
  readonly model: string;
  /**
   * Runs the agent on an input: the model is asked, the tools it requests run and their results go back to it, until it answers (or `max_turns` is reached: error `max_turns`). A map input sends its `input_key` entry (else the whole map as JSON); a State input reads `input_key` and returns a new State with the answer under `output_key`.
   *
   * @param input The user message, a map, or a State.
   * @returns The answer's text; a new State for a State input.
   * @example
   * ```js
   * const a = agent.create({ name: "poet" });
   * print(await a.run("Write a haiku about Rust"));
   * ```
   */
  run(input: State): Promise<State>;
  /**
   * Runs the agent on an input: the model is asked, the tools it requests run and their results go back to it, until it answers (or `max_turns` is reached: error `max_turns`). A map input sends its `input_key` entry (else the whole map as JSON); a State input reads `input_key` and returns a new State with the answer under `output_key`.
   *
   * @param input The user message, a map, or a State.
   * @returns The answer's text; a new State for a State input.
   * @example
   * ```js
   * const a = agent.create({ name: "poet" });
   * print(await a.run("Write a haiku about Rust"));
   * ```
   */
  run(input: string | { [key: string]: any }): Promise<string>;
  /**
   * Runs the agent like `run`, calling `on_chunk` with every piece of text the model produces, as it arrives.
   *
   * @param input The user message, a map, or a State.
   * @param on_chunk Called with each text delta (a string).
   * @returns As `run`: the answer's text, or a new State.
   * @example
   * ```js
   * const a = agent.create({ name: "poet" });
   * await a.stream("Write a haiku", (chunk) => print(chunk));
   * ```
   */
  stream(input: State, on_chunk: (...args: any[]) => any): Promise<State>;
  /**
   * Runs the agent like `run`, calling `on_chunk` with every piece of text the model produces, as it arrives.
   *
   * @param input The user message, a map, or a State.
   * @param on_chunk Called with each text delta (a string).
   * @returns As `run`: the answer's text, or a new State.
   * @example
   * ```js
   * const a = agent.create({ name: "poet" });
   * await a.stream("Write a haiku", (chunk) => print(chunk));
   * ```
   */
  stream(input: string | { [key: string]: any }, on_chunk: (...args: any[]) => any): Promise<string>;
  /**
   * The conversation remembered: with `memory`, every run's input and answer; without, the last run's.
   *
   * @returns `{ role, content }` per message, oldest first.
   * @example
   * ```js
   * const a = agent.create({ name: "chat", memory: true });
   * await a.run("hi");
   * print(a.history().length); // 2
   * ```
   */
  history(): { [key: string]: any }[];
  /**
   * Forgets the conversation.
   *
   * @example
   * ```js
   * const a = agent.create({ name: "chat", memory: true });
   * a.reset();
   * ```
   */
  reset(): void;
}

/** An immutable map of values. `set` and `merge` return a new State and leave the receiver unchanged; nil values are never stored. `json.encode` and `print` show its map. */
interface State {
  /**
   * Reads one entry.
   *
   * @param key The key.
   * @returns The value, or nil when the key is absent.
   * @example
   * ```js
   * const s = state.create({ topic: "rust" });
   * print(s.get("topic")); // rust
   * ```
   */
  get(key: string): any;
  /**
   * Lists the keys.
   *
   * @returns The keys, in sorted order.
   * @example
   * ```js
   * const s = state.create({ b: 1, a: 2 });
   * print(s.keys()); // ["a","b"]
   * ```
   */
  keys(): string[];
  /**
   * Copies the entries into a plain map.
   *
   * @returns The entries.
   * @example
   * ```js
   * const s = state.create({ topic: "rust" });
   * const m = s.to_map();
   * print(m.topic); // rust
   * ```
   */
  to_map(): { [key: string]: any };
  /**
   * Makes a new State with one entry changed; the receiver is unchanged.
   *
   * @param key The key.
   * @param value The new value; nil removes the key.
   * @returns The new state.
   * @example
   * ```js
   * const s1 = state.create({ n: 1 });
   * const s2 = s1.set("n", 2);
   * print(s1.get("n"), s2.get("n")); // 1 2
   * ```
   */
  set(key: string, value: any): State;
  /**
   * Makes a new State with every entry of a map applied on top; the receiver is unchanged.
   *
   * @param values The entries to add or replace; nil values remove keys.
   * @returns The new state.
   * @example
   * ```js
   * const s = state.create({ a: 1 }).merge({ b: 2 });
   * print(s.keys()); // ["a","b"]
   * ```
   */
  merge(values: { [key: string]: any }): State;
}

/** A tool: built in or defined with `tools.define`. Usable in an agent's `tools`, in `llm.chat` requests and as a workflow step (the step's State becomes the arguments). */
interface Tool {
  /** The tool's name. */
  readonly name: string;
  /** What the tool does. */
  readonly description: string;
  /**
   * Calls the tool. The arguments are validated against its schema first (`invalid_argument` naming the failing path).
   *
   * @param args The arguments; an empty map when omitted.
   * @returns What the tool returns.
   * @example
   * ```js
   * const calc = tools.get("calculator");
   * print(await calc.call({ expression: "1 + 1" })); // 2
   * ```
   */
  call(args?: { [key: string]: any }): Promise<any>;
}

/** A composed workflow made by `workflow.sequential`, `parallel`, `conditional` or `loop`. It can itself be a step of another workflow. */
interface Workflow {
  /** The workflow's name. */
  readonly name: string;
  /** `"sequential"`, `"parallel"`, `"conditional"` or `"loop"`. */
  readonly kind: string;
  /**
   * Runs the workflow. A string input becomes the State `{ input = <string> }`, a map the State of its entries; a State is used as is. Each step receives the current State and its result is folded in: a State replaces it, a map is merged into it (nil removes a key), nil leaves it unchanged, any other value is stored under `output`. A parallel workflow returns its input State with one entry per step (step name → output).
   *
   * @param input The starting input.
   * @returns The final State.
   * @example
   * ```js
   * const w = workflow.sequential({ name: "w", steps: [(s) => "done"] });
   * print((await w.run("go")).get("output")); // done
   * ```
   */
  run(input: string | { [key: string]: any } | State): Promise<State>;
}

/** Agents: an LLM with a role (system prompt), tools and optional memory. `run` performs the model's native tool-calling loop: the model asks for tools, they run (arguments validated against their schema), their results go back, until the model answers or `max_turns` model calls were made (error `max_turns`). A failing tool call — bad arguments, an unknown tool, an error the tool raises — is not raised: it is sent back to the model as `{"error": {code, message}}` so it can correct itself (limits and termination still end the spell). Runs emit `agent.start` and `agent.end`. */
interface AgentModule {
  /**
   * Another name of `create`. Creates an agent and registers it under its name (replacing an agent of the same name). Tool names are looked up now; an unknown name, model or config key is an error.
   *
   * @param config The agent's name, model, role, tools and limits.
   * @returns The new agent.
   * @example
   * ```js
   * const helper = agent.create({ name: "helper", system_prompt: "Be brief", tools: ["calculator"] });
   * print(await helper.run("What is 6 * 7?"));
   * ```
   */
  new (config: AgentConfig): Agent;
  /**
   * Creates an agent and registers it under its name (replacing an agent of the same name). Tool names are looked up now; an unknown name, model or config key is an error.
   *
   * @param config The agent's name, model, role, tools and limits.
   * @returns The new agent.
   * @example
   * ```js
   * const helper = agent.create({ name: "helper", system_prompt: "Be brief", tools: ["calculator"] });
   * print(await helper.run("What is 6 * 7?"));
   * ```
   */
  create(config: AgentConfig): Agent;
  /**
   * Another name of `create`. Creates an agent and registers it under its name (replacing an agent of the same name). Tool names are looked up now; an unknown name, model or config key is an error.
   *
   * @param config The agent's name, model, role, tools and limits.
   * @returns The new agent.
   * @example
   * ```js
   * const helper = agent.create({ name: "helper", system_prompt: "Be brief", tools: ["calculator"] });
   * print(await helper.run("What is 6 * 7?"));
   * ```
   */
  "new"(config: AgentConfig): Agent;
  /**
   * Finds an agent created by this spell.
   *
   * @param name The agent's name.
   * @returns The agent, or nil.
   * @example
   * ```js
   * const helper = agent.get("helper");
   * ```
   */
  get(name: string): Agent;
  /**
   * Lists the names of the agents this spell created.
   *
   * @returns The names, sorted.
   * @example
   * ```js
   * for (const name of agent.list()) { print(name); }
   * ```
   */
  list(): string[];
}
/** Agents: an LLM with a role (system prompt), tools and optional memory. `run` performs the model's native tool-calling loop: the model asks for tools, they run (arguments validated against their schema), their results go back, until the model answers or `max_turns` model calls were made (error `max_turns`). A failing tool call — bad arguments, an unknown tool, an error the tool raises — is not raised: it is sent back to the model as `{"error": {code, message}}` so it can correct itself (limits and termination still end the spell). Runs emit `agent.start` and `agent.end`. */
declare var agent: AgentModule;
/** Another name of `agent`. */
declare var Agent: AgentModule;

/** Observe and signal. Handlers receive `{ name, time, data }` (`time` in seconds since the Unix epoch) on the spell's thread, in subscription order. The runtime emits `spell.start/end`, `llm.request/response`, `agent.start/end`, `tool.call/result`, `workflow.start/end`, `workflow.step.start/end` and `error`. */
interface EventsModule {
  /**
   * Subscribes a handler to every event whose name matches a pattern. In patterns `*` matches any run of characters: `"workflow.*"` matches `workflow.step.start`, `"*"` matches everything.
   *
   * @param pattern The event names to receive, with `*` wildcards.
   * @param handler Called with each matching event `{ name, time, data }`.
   * @returns The subscription id, for `events.off`.
   * @example
   * ```js
   * const id = events.on("workflow.*", (event) => print(event.name));
   * ```
   */
  on(pattern: string, handler: (...args: any[]) => any): number;
  /**
   * Removes a subscription made with `events.on`.
   *
   * @param id The subscription id `events.on` returned.
   * @returns `true` when the subscription existed.
   * @example
   * ```js
   * const id = events.on("tick", (event) => {});
   * print(events.off(id)); // true
   * ```
   */
  off(id: number): boolean;
  /**
   * Emits an event: every matching handler runs, in subscription order, before `emit` returns. An error raised by a handler propagates to the caller of `emit`.
   *
   * @param name The event name (`report.ready`).
   * @param data The event's payload; left out of the event when nil.
   * @example
   * ```js
   * events.emit("report.ready", { pages: 3 });
   * ```
   */
  emit(name: string, data?: any): void;
}
/** Observe and signal. Handlers receive `{ name, time, data }` (`time` in seconds since the Unix epoch) on the spell's thread, in subscription order. The runtime emits `spell.start/end`, `llm.request/response`, `agent.start/end`, `tool.call/result`, `workflow.start/end`, `workflow.step.start/end` and `error`. */
declare var events: EventsModule;

/** Text files in the workspace. Paths are relative to the workspace root (absolute paths must lie inside it); `..` escapes and symbolic links leading outside are `sandbox_denied`, missing files `not_found`, other failures `io`. */
interface FsModule {
  /**
   * Reads a whole UTF-8 text file.
   *
   * @param path The file, relative to the workspace root.
   * @returns The file's contents.
   * @example
   * ```js
   * const text = fs.read("notes/today.md");
   * ```
   */
  read(path: string): string;
  /**
   * Writes a text file, replacing it if it exists and creating missing parent folders.
   *
   * @param path The file, relative to the workspace root.
   * @param text The new contents.
   * @example
   * ```js
   * fs.write("out/report.md", "# Report\n");
   * ```
   */
  write(path: string, text: string): void;
  /**
   * Appends text to a file, creating it (and missing parent folders) if needed.
   *
   * @param path The file, relative to the workspace root.
   * @param text The text to add at the end.
   * @example
   * ```js
   * fs.append("out/log.txt", "step done\n");
   * ```
   */
  append(path: string, text: string): void;
  /**
   * Whether a file or folder exists. Paths outside the workspace are still an error.
   *
   * @param path The file or folder, relative to the workspace root.
   * @returns `true` when something exists at the path.
   * @example
   * ```js
   * if (fs.exists("cache.json")) { print("cached"); }
   * ```
   */
  exists(path: string): boolean;
  /**
   * Lists the names of the entries of a folder (files and folders), sorted.
   *
   * @param dir The folder, relative to the workspace root; the root itself when omitted.
   * @returns The entry names (not paths), in sorted order.
   * @example
   * ```js
   * for (const name of fs.list("notes")) { print(name); }
   * ```
   */
  list(dir?: string): string[];
  /**
   * Removes a file, or a folder with everything in it. A symbolic link is removed itself, not what it points to.
   *
   * @param path The file or folder, relative to the workspace root.
   * @example
   * ```js
   * fs.remove("out/old.txt");
   * ```
   */
  remove(path: string): void;
}
/** Text files in the workspace. Paths are relative to the workspace root (absolute paths must lie inside it); `..` escapes and symbolic links leading outside are `sandbox_denied`, missing files `not_found`, other failures `io`. */
declare var fs: FsModule;

/** HTTP requests subject to the network policy: only `http` and `https` URLs; loopback, private, link-local and other non-public addresses (also when a name resolves to one, and after every redirect) are `sandbox_denied` unless `sandbox.allow_private_network` is set or the host is in `sandbox.allow_hosts`. A response of any status is returned, not raised; network failures are `http`, an expired timeout `http_timeout`. */
interface HttpModule {
  /**
   * Sends a GET request and reads the whole response (at most 10 MiB).
   *
   * @param url The `http://` or `https://` URL.
   * @param opts Extra request headers and the timeout.
   * @returns `{ status: int, headers: map (lower-case names), body: str }`.
   * @example
   * ```js
   * const response = await http.get("https://example.com/data.json");
   * if (response.status === 200) { print(response.body.length); }
   * ```
   */
  get(url: string, opts?: HttpOptions): Promise<{ [key: string]: any }>;
  /**
   * Sends a POST request and reads the whole response (at most 10 MiB). A map or list body is sent as JSON with `content-type: application/json` (unless the headers set one); a string is sent as is.
   *
   * @param url The `http://` or `https://` URL.
   * @param body The request body: text, or a map or list to send as JSON.
   * @param opts Extra request headers and the timeout.
   * @returns `{ status: int, headers: map (lower-case names), body: str }`.
   * @example
   * ```js
   * const response = await http.post("https://example.com/api", { query: "rust" }, { timeout: 10 });
   * print(response.status);
   * ```
   */
  post(url: string, body: string | { [key: string]: any } | any[], opts?: HttpOptions): Promise<{ [key: string]: any }>;
}
/** HTTP requests subject to the network policy: only `http` and `https` URLs; loopback, private, link-local and other non-public addresses (also when a name resolves to one, and after every redirect) are `sandbox_denied` unless `sandbox.allow_private_network` is set or the host is in `sandbox.allow_hosts`. A response of any status is returned, not raised; network failures are `http`, an expired timeout `http_timeout`. */
declare var http: HttpModule;

/** JSON text to and from values. Object keys are always written sorted. */
interface JsonModule {
  /**
   * Encodes a value as JSON. Map keys are sorted, integers stay integers and integral floats keep a `.0`. Host objects with a plain form (a `State`) encode as that form; functions cannot be encoded.
   *
   * @param value The value to encode.
   * @param pretty Indent with two spaces and one item per line.
   * @returns The JSON text.
   * @example
   * ```js
   * const text = json.encode({ name: "ada", tags: ["x", "y"] });
   * print(text); // {"name":"ada","tags":["x","y"]}
   * ```
   */
  encode(value: any, pretty?: boolean): string;
  /**
   * Decodes JSON text. Objects become maps, arrays lists, integral numbers integers and other numbers floats; `null` becomes nil. Invalid JSON raises an error with code `json` giving the line and column.
   *
   * @param text The JSON text.
   * @returns The decoded value.
   * @example
   * ```js
   * const data = json.decode('{"n": 1, "tags": ["a"]}');
   * print(data.n); // 1
   * ```
   */
  decode(text: string): any;
}
/** JSON text to and from values. Object keys are always written sorted. */
declare var json: JsonModule;

/** Direct model access. A request is a prompt string or a map `{ prompt?, messages?, system?, model?, temperature?, max_tokens?, schema?, tools? }`; `model` is `provider/model` or a configured alias (the default model when omitted). A `Response` is a map `{ text, model, provider, finish_reason, usage = { input_tokens, output_tokens }, tool_calls = [{ id, name, arguments }], data? }`. Provider failures raise `provider_auth`, `provider_rate_limit`, `provider_http`, `provider_timeout` or `invalid_response`; calls emit `llm.request` and `llm.response`. */
interface LlmModule {
  /**
   * Asks the model and returns the text of its answer.
   *
   * @param prompt The prompt, or a request map.
   * @returns The answer's text.
   * @example
   * ```js
   * print(await llm.complete("Say hi"));
   * ```
   */
  complete(prompt: string | LlmRequest): Promise<string>;
  /**
   * Sends a request and returns the full answer. With `schema` (a JSON Schema), the answer is parsed and validated into `data`. With `tools` (names or Tool objects), the model may answer with `tool_calls` (not run: `agent` runs them).
   *
   * @param request The request map, or a prompt.
   * @returns The `Response` map.
   * @example
   * ```js
   * const r = await llm.chat({ prompt: "Name a colour", system: "Answer in one word" });
   * print(r.text, r.provider, r.usage.output_tokens);
   * ```
   */
  chat(request: string | LlmRequest): Promise<{ [key: string]: any }>;
  /**
   * Sends a request and calls `on_chunk` with every piece of the answer's text as it arrives, in order; returns the full answer at the end.
   *
   * @param request The request map, or a prompt.
   * @param on_chunk Called with each text delta (a string).
   * @returns The `Response` map, once the answer is complete.
   * @example
   * ```js
   * const r = await llm.stream("Tell a story", (chunk) => print(chunk));
   * ```
   */
  stream(request: string | LlmRequest, on_chunk: (...args: any[]) => any): Promise<{ [key: string]: any }>;
  /**
   * Lists the configured providers as the configuration describes them (never their keys). `base_url` is the configured base URL, nil when the configuration gives none (the kind's default endpoint is then used). `available` says whether the provider is usable without a network probe: `scripted` and `ollama` providers always are; any other is when its API key is set, if it needs one (kinds `openai`, `anthropic` and `gemini` always do, others when their configuration names `api_key_env`). Reachability is not checked: `llmspell models` does that.
   *
   * @returns `{ name, kind, base_url, available }` per provider, sorted by name.
   * @example
   * ```js
   * for (const p of llm.providers()) { print(p.name, p.kind, p.available); }
   * ```
   */
  providers(): { [key: string]: any }[];
  /**
   * Lists the models the configuration names for one provider or for all: each provider's configured models, and for the provider of the default model that model too (aliases followed).
   *
   * @param provider Only this provider's models; every provider's when omitted.
   * @returns `provider/model` strings (usable as `model`), sorted.
   * @example
   * ```js
   * for (const m of llm.models()) { print(m); }
   * ```
   */
  models(provider?: string): string[];
}
/** Direct model access. A request is a prompt string or a map `{ prompt?, messages?, system?, model?, temperature?, max_tokens?, schema?, tools? }`; `model` is `provider/model` or a configured alias (the default model when omitted). A `Response` is a map `{ text, model, provider, finish_reason, usage = { input_tokens, output_tokens }, tool_calls = [{ id, name, arguments }], data? }`. Provider failures raise `provider_auth`, `provider_rate_limit`, `provider_http`, `provider_timeout` or `invalid_response`; calls emit `llm.request` and `llm.response`. */
declare var llm: LlmModule;

/** Structured logging to stderr through `tracing` (target `spell`), with optional fields. */
interface LogModule {
  /**
   * Logs a debug message, shown only when debug logging is on.
   *
   * @param msg The message.
   * @param fields Structured fields, logged as one JSON object with sorted keys.
   * @example
   * ```js
   * log.debug("cache miss", { key: "topic" });
   * ```
   */
  debug(msg: string, fields?: { [key: string]: any }): void;
  /**
   * Logs an informational message.
   *
   * @param msg The message.
   * @param fields Structured fields, logged as one JSON object with sorted keys.
   * @example
   * ```js
   * log.info("fetched page", { url: "https://example.com", bytes: 512 });
   * ```
   */
  info(msg: string, fields?: { [key: string]: any }): void;
  /**
   * Logs a warning.
   *
   * @param msg The message.
   * @param fields Structured fields, logged as one JSON object with sorted keys.
   * @example
   * ```js
   * log.warn("retrying", { attempt: 2 });
   * ```
   */
  warn(msg: string, fields?: { [key: string]: any }): void;
  /**
   * Logs an error. It does not stop the spell: raise an error for that.
   *
   * @param msg The message.
   * @param fields Structured fields, logged as one JSON object with sorted keys.
   * @example
   * ```js
   * log.error("step failed", { step: "summarise" });
   * ```
   */
  error(msg: string, fields?: { [key: string]: any }): void;
}
/** Structured logging to stderr through `tracing` (target `spell`), with optional fields. */
declare var log: LogModule;

/** The spell's parameters, a map from name to value (`llmspell run s.lua -p topic=rust` gives `params.topic == "rust"`). Absent parameters read as nil. */
declare var params: { [key: string]: any };

/**
 * Writes its arguments to standard output as text, separated by one space, followed by a newline. Strings are written as they are, `nil` as `nil`, lists and maps as compact JSON with sorted keys: the same bytes in every engine.
 *
 * @param values The values to write, in order.
 * @example
 * ```js
 * print("answer:", 42, true); // answer: 42 true
 * ```
 */
declare function print(...values: any[]): void;

/** Facts about the running spell: its name, path and engine. */
interface SpellModule {
  /** The spell's file name without its extension (`research`). */
  readonly name: string;
  /** The spell's path, as given to `llmspell run`. */
  readonly path: string;
  /** The engine running it: `"lua"`, `"js"` or `"rhai"`. */
  readonly engine: string;
}
/** Facts about the running spell: its name, path and engine. */
declare var spell: SpellModule;

/** Immutable `State` values, and a persistent key-value store (embedded SQLite in `.llmspell/state.db`) shared by every spell and engine of the workspace. */
interface StateModule {
  /**
   * Another name of `create`. Creates a `State` from a map. Nil values are left out.
   *
   * @param values The initial entries; empty when omitted.
   * @returns The new state.
   * @example
   * ```js
   * const s = state.create({ topic: "rust" });
   * print(s.get("topic")); // rust
   * ```
   */
  new (values?: { [key: string]: any }): State;
  /**
   * Creates a `State` from a map. Nil values are left out.
   *
   * @param values The initial entries; empty when omitted.
   * @returns The new state.
   * @example
   * ```js
   * const s = state.create({ topic: "rust" });
   * print(s.get("topic")); // rust
   * ```
   */
  create(values?: { [key: string]: any }): State;
  /**
   * Another name of `create`. Creates a `State` from a map. Nil values are left out.
   *
   * @param values The initial entries; empty when omitted.
   * @returns The new state.
   * @example
   * ```js
   * const s = state.create({ topic: "rust" });
   * print(s.get("topic")); // rust
   * ```
   */
  "new"(values?: { [key: string]: any }): State;
  /**
   * Stores a value under a key in the workspace's persistent store, replacing any previous one. Values are stored as JSON: a `State` saves as its map, functions cannot be saved, and saving nil deletes the key.
   *
   * @param key The key.
   * @param value The value to store.
   * @example
   * ```js
   * state.save("last_topic", "rust");
   * ```
   */
  save(key: string, value: any): void;
  /**
   * Reads a value from the workspace's persistent store.
   *
   * @param key The key.
   * @returns The stored value (a saved `State` comes back as a map), or nil.
   * @example
   * ```js
   * const topic = state.load("last_topic") ?? "default";
   * ```
   */
  load(key: string): any;
  /**
   * Removes a key from the workspace's persistent store.
   *
   * @param key The key.
   * @returns `true` when the key existed.
   * @example
   * ```js
   * const removed = state.delete("last_topic");
   * ```
   */
  delete(key: string): boolean;
  /**
   * Lists the keys of the workspace's persistent store, sorted.
   *
   * @param prefix Only keys starting with this text (compared literally); all keys when omitted.
   * @returns The keys, in sorted order.
   * @example
   * ```js
   * for (const key of state.list("cache/")) { print(key); }
   * ```
   */
  list(prefix?: string): string[];
}
/** Immutable `State` values, and a persistent key-value store (embedded SQLite in `.llmspell/state.db`) shared by every spell and engine of the workspace. */
declare var state: StateModule;
/** Another name of `state`. */
declare var State: StateModule;

/** Callable capabilities with a JSON Schema for their arguments, usable directly, by agents and as workflow steps. Built in: `file_read`, `file_write`, `file_list` (confined to the workspace), `json_query` (dotted paths: `items[0].name`, `items[*].name`), `calculator` (+ - * / % ^, parentheses, sqrt, abs, min, max, …) and `datetime` (UTC, ISO 8601 or a strftime format). Arguments are validated against the schema before a tool runs (`invalid_argument` naming the failing path); calls emit `tool.call` and `tool.result`. */
interface ToolsModule {
  /**
   * Lists every tool: the built-in ones and those the spell defined.
   *
   * @returns `{ name, description, params, builtin }` per tool, sorted by name.
   * @example
   * ```js
   * for (const t of tools.list()) { print(t.name); }
   * ```
   */
  list(): { [key: string]: any }[];
  /**
   * Finds a tool by name.
   *
   * @param name The tool's name.
   * @returns The tool, or nil when there is none.
   * @example
   * ```js
   * const calc = tools.get("calculator");
   * print(await calc.call({ expression: "6 * 7" })); // 42
   * ```
   */
  get(name: string): Tool;
  /**
   * Calls a tool by name. The arguments are validated against its schema first (`invalid_argument` naming the failing path); an unknown name is `not_found`.
   *
   * @param name The tool's name.
   * @param args The arguments; an empty map when omitted.
   * @returns What the tool returns.
   * @example
   * ```js
   * print(await tools.call("calculator", { expression: "2 ^ 10" })); // 1024
   * ```
   */
  call(name: string, args?: { [key: string]: any }): Promise<any>;
  /**
   * Defines a tool the spell implements, usable by `tools.call`, by agents (list it or its name in `tools`) and as a workflow step. `params` is the JSON Schema of the arguments (an object schema; `{ type = "object" }` when omitted); `run` receives the validated arguments map. Redefining a name replaces the earlier tool; built-in names are taken.
   *
   * @param spec The name, description, argument schema and function of the tool.
   * @returns The new tool.
   * @example
   * ```js
   * const shout = tools.define({
   *   name: "shout",
   *   description: "Upper-cases a text",
   *   params: { type: "object", properties: { text: { type: "string" } }, required: ["text"] },
   *   run: (args) => args.text.toUpperCase(),
   * });
   * print(await shout.call({ text: "hi" })); // HI
   * ```
   */
  define(spec: ToolDefinition): Tool;
}
/** Callable capabilities with a JSON Schema for their arguments, usable directly, by agents and as workflow steps. Built in: `file_read`, `file_write`, `file_list` (confined to the workspace), `json_query` (dotted paths: `items[0].name`, `items[*].name`), `calculator` (+ - * / % ^, parentheses, sqrt, abs, min, max, …) and `datetime` (UTC, ISO 8601 or a strftime format). Arguments are validated against the schema before a tool runs (`invalid_argument` naming the failing path); calls emit `tool.call` and `tool.result`. */
declare var tools: ToolsModule;

/** Compose agents, tools, script functions and workflows. `Workflow.run(input)` starts from a State (a string input becomes `{ input = <string> }`, a map its entries); each step receives the current State and its result is folded in: a State replaces it, a map is merged into it (nil removes a key), nil leaves it, any other value is stored under `output`. Steps failing with `on_error = "continue"` are recorded under `errors` (step name → `{ code, message }`). Errors name the workflow and the step and keep the step's code. Events: `workflow.start/end` `{ workflow, kind, ok }`, `workflow.step.start/end` `{ workflow, step, ok, attempts }`. */
interface WorkflowModule {
  /**
   * A workflow that runs its steps one after another, each on the State the previous one left.
   *
   * @param config The name and steps. A step is an Agent, a Tool, a Workflow, a function `fn(State) -> State|map|str`, or `{ name, run, on_error }`.
   * @returns The workflow; run it with `run`.
   * @example
   * ```js
   * const pipeline = workflow.sequential({
   *   name: "pipeline",
   *   steps: [
   *     (s) => ({ topic: s.get("input") }),
   *     { name: "shout", run: (s) => s.get("topic").toUpperCase() },
   *   ],
   * });
   * print((await pipeline.run("rust")).get("output")); // RUST
   * ```
   */
  sequential(config: SequentialConfig): Workflow;
  /**
   * A workflow that runs its steps concurrently, each on the same input State; the result is that State with one entry per step: step name → output (a State output as its map). Agent, tool and HTTP steps wait on I/O together; script functions run one at a time on the spell's thread.
   *
   * @param config The name, steps and concurrency: at most `max_concurrency` steps run at once (all of them when omitted). Step names must be distinct.
   * @returns The workflow; run it with `run`.
   * @example
   * ```js
   * const both = workflow.parallel({
   *   name: "both",
   *   steps: [
   *     { name: "upper", run: (s) => s.get("input").toUpperCase() },
   *     { name: "lower", run: (s) => s.get("input").toLowerCase() },
   *   ],
   *   max_concurrency: 2,
   * });
   * const result = await both.run("Rust");
   * print(result.get("upper"), result.get("lower")); // RUST rust
   * ```
   */
  parallel(config: ParallelConfig): Workflow;
  /**
   * A workflow that runs the step of the first branch whose `when(State)` returns true, else the `otherwise` step, else nothing (the State passes unchanged).
   *
   * @param config The name, branches and otherwise step. Unnamed branch steps are named `step1`, `step2`… by branch, the otherwise step `otherwise`.
   * @returns The workflow; run it with `run`.
   * @example
   * ```js
   * const route = workflow.conditional({
   *   name: "route",
   *   branches: [
   *     { when: (s) => s.get("input").length > 10, step: (s) => "long" },
   *   ],
   *   otherwise: (s) => "short",
   * });
   * print((await route.run("hi")).get("output")); // short
   * ```
   */
  conditional(config: ConditionalConfig): Workflow;
  /**
   * A workflow that runs its step, then calls `until(State)`, again and again: it ends with the State when `until` returns true, and fails with `max_iterations` when `until` is still false after `max_iterations` runs.
   *
   * @param config The name, step, stop condition and iteration limit. An unnamed function step is named `step1`.
   * @returns The workflow; run it with `run`.
   * @example
   * ```js
   * const count = workflow.loop({
   *   name: "count",
   *   step: (s) => ({ n: (s.get("n") ?? 0) + 1 }),
   *   until: (s) => s.get("n") >= 3,
   *   max_iterations: 10,
   * });
   * print((await count.run({})).get("n")); // 3
   * ```
   */
  loop(config: LoopConfig): Workflow;
}
/** Compose agents, tools, script functions and workflows. `Workflow.run(input)` starts from a State (a string input becomes `{ input = <string> }`, a map its entries); each step receives the current State and its result is folded in: a State replaces it, a map is merged into it (nil removes a key), nil leaves it, any other value is stored under `output`. Steps failing with `on_error = "continue"` are recorded under `errors` (step name → `{ code, message }`). Errors name the workflow and the step and keep the step's code. Events: `workflow.start/end` `{ workflow, kind, ok }`, `workflow.step.start/end` `{ workflow, step, ok, attempts }`. */
declare var workflow: WorkflowModule;

/** The JavaScript engine's console: `log`, `info` and `debug` print like `print`; `warn` and `error` write to stderr. */
declare var console: {
  log(...values: any[]): void;
  info(...values: any[]): void;
  debug(...values: any[]): void;
  warn(...values: any[]): void;
  error(...values: any[]): void;
};
