//! `llmspell`: run, check and describe spells. Wiring only: the work happens in the
//! runtime, host and bridge crates.

mod config;
mod llm_setup;
mod lsp_command;

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use clap::{Args as ClapArgs, Parser, Subcommand};
use llmspell_bridge::{Map, Value};
use llmspell_runtime::{EngineKind, Limits, RunOptions, Spell};

/// Counts each thread's allocations, so the Rhai engine can hold a spell to its memory limit.
#[global_allocator]
static ALLOCATOR: llmspell_runtime::alloc::SpellAllocator = llmspell_runtime::alloc::SpellAllocator;

/// llmspell runs spells: Lua, JavaScript and Rhai scripts that orchestrate LLM agents,
/// tools and workflows, with one host API in all three languages.
#[derive(Parser)]
#[command(name = "llmspell", version, about, long_about = None, propagate_version = true)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run a spell.
    Run(RunArgs),
    /// Compile a spell without running it and report every syntax error.
    Check(CheckArgs),
    /// Print a spell's syntax tree and its syntax errors (exit 1 if there are any).
    Parse(ParseArgs),
    /// Print the host API (modules, functions, parameters, types, docs).
    Api(ApiArgs),
    /// List the LLM providers (configured and built in), whether each answers, their models,
    /// the aliases and the default model.
    Models(ModelsArgs),
    /// Run the language server on stdin/stdout, for editors.
    Lsp(lsp_command::LspArgs),
}

#[derive(ClapArgs)]
struct RunArgs {
    /// The spell to run (.lua, .js, .mjs or .rhai).
    file: PathBuf,
    /// A parameter for the spell, readable as `params.KEY` (repeatable).
    #[arg(short = 'p', long = "param", value_name = "KEY=VALUE")]
    params: Vec<String>,
    /// The language, when the extension or a #! line does not say.
    #[arg(long, value_name = "lua|js|rhai")]
    engine: Option<String>,
    /// Wall-clock limit, e.g. 3s, 500ms, 5m (0 = none). Default: llmspell.toml, else 300s.
    #[arg(long, value_name = "DURATION")]
    timeout: Option<String>,
    /// Memory limit, e.g. 128MiB (0 = none). Default: llmspell.toml, else 256MiB.
    #[arg(long = "memory-limit", value_name = "SIZE")]
    memory_limit: Option<String>,
    /// Instruction budget (0 = none). Default: llmspell.toml, else none.
    #[arg(long = "max-instructions", value_name = "N")]
    max_instructions: Option<u64>,
    /// The default model for this run: `provider/model` or an alias. Default: LLMSPELL_MODEL,
    /// else llmspell.toml [llm] default_model, else Ollama / a key in the environment / the
    /// offline scripted provider.
    #[arg(long, value_name = "PROVIDER/MODEL|ALIAS")]
    model: Option<String>,
    /// Save every LLM exchange of the run to FILE (JSON), for --replay.
    #[arg(long, value_name = "FILE", conflicts_with = "replay")]
    record: Option<PathBuf>,
    /// Answer every LLM call from a recording made with --record, in order, with no network.
    #[arg(long, value_name = "FILE")]
    replay: Option<PathBuf>,
    /// Write every runtime event to FILE as JSON lines ({"name", "time", "data"}).
    #[arg(long, value_name = "FILE")]
    events: Option<PathBuf>,
    /// No progress spinner and no offline-provider notice on stderr.
    #[arg(short, long)]
    quiet: bool,
}

#[derive(ClapArgs)]
struct ModelsArgs {
    /// Print JSON instead of a table.
    #[arg(long)]
    json: bool,
}

#[derive(ClapArgs)]
struct CheckArgs {
    /// The spell to check.
    file: PathBuf,
    /// The language, when the extension or a #! line does not say.
    #[arg(long, value_name = "lua|js|rhai")]
    engine: Option<String>,
}

#[derive(ClapArgs)]
struct ParseArgs {
    /// The spell to parse.
    file: PathBuf,
    /// Print the tree as one S-expression instead of an indented outline.
    #[arg(long)]
    sexp: bool,
    /// The language, when the extension or a #! line does not say.
    #[arg(long, value_name = "lua|js|rhai")]
    engine: Option<String>,
}

#[derive(ClapArgs)]
struct ApiArgs {
    /// Print the manifest as JSON.
    #[arg(long, conflicts_with = "markdown")]
    json: bool,
    /// Print the API reference as Markdown (what docs/api.md holds).
    #[arg(long)]
    markdown: bool,
    /// Write editor stubs into DIR: llmspell.lua (LuaLS), llmspell.d.ts, llmspell.d.rhai.
    #[arg(long, value_name = "DIR", conflicts_with_all = ["json", "markdown"])]
    stubs: Option<std::path::PathBuf>,
}

fn main() -> ExitCode {
    // A bug of ours must still read as an error message, never as a Rust panic and backtrace.
    std::panic::set_hook(Box::new(|info| {
        let detail = info
            .payload()
            .downcast_ref::<&str>()
            .map(|text| text.to_string())
            .or_else(|| info.payload().downcast_ref::<String>().cloned())
            .unwrap_or_default();
        eprintln!("llmspell: internal error: {detail} (please report this)");
    }));
    let cli = Cli::parse();
    if !matches!(cli.command, Command::Lsp(_)) {
        init_logging();
    }
    let outcome = match cli.command {
        Command::Run(args) => run(args),
        Command::Check(args) => check(args),
        Command::Parse(args) => parse(args),
        Command::Api(args) => api(args),
        Command::Models(args) => models(args),
        Command::Lsp(args) => lsp_command::run(args),
    };
    match outcome {
        Ok(code) => code,
        Err(message) => {
            eprintln!("llmspell: {message}");
            ExitCode::FAILURE
        }
    }
}

/// Logs (including the spell's `log.*` calls) go to stderr; `LLMSPELL_LOG` filters them.
fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_env("LLMSPELL_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .without_time()
        .with_target(false)
        .try_init();
}

fn parse_engine(name: Option<&str>) -> Result<Option<EngineKind>, String> {
    name.map(|name| {
        EngineKind::from_name(name)
            .ok_or_else(|| format!("unknown engine {name:?}: expected lua, js or rhai"))
    })
    .transpose()
}

fn run(args: RunArgs) -> Result<ExitCode, String> {
    let engine = parse_engine(args.engine.as_deref())?;
    let spell = Spell::load(&args.file, engine).map_err(|error| error.headline())?;
    let workspace = config::workspace_root(&args.file);
    let (config, config_path) = config::load(&workspace)?;
    let limits = limits(&config, &args)?;
    let params = parse_params(&args.params)?;
    let llm_options = llm_setup::LlmOptions {
        model: args.model.clone(),
        record: args.record.clone(),
        replay: args.replay.clone(),
        quiet: args.quiet,
    };
    let llm = llm_setup::build(&config, config_path.as_deref(), &workspace, &llm_options)?;

    let context = llmspell_host::HostContext::new(
        workspace.clone(),
        llmspell_host::SpellInfo {
            name: spell.name.clone(),
            path: display_path(&args.file),
            engine: spell.engine.name().to_owned(),
        },
        params,
    )
    .with_sandbox(llmspell_host::SandboxSettings {
        allow_hosts: config.sandbox.allow_hosts.clone(),
        allow_private_network: config.sandbox.allow_private_network,
    })
    .with_llm(Arc::new(llm.registry.clone()));
    let events_file = match &args.events {
        Some(path) => Some(llm_setup::write_events_to(&context.events, path)?),
        None => None,
    };
    if let Some(file) = &events_file {
        file.spell_start(&context.spell);
    }
    let registry = Arc::new(llmspell_host::registry(context));
    let options = RunOptions { limits, workspace: Some(workspace), ..RunOptions::default() };
    let outcome = llmspell_runtime::run(spell, registry, options);
    llm.finish(args.quiet);
    if let Some(file) = &events_file {
        file.spell_end(outcome.as_ref().err());
    }
    match outcome {
        Ok(_) => Ok(ExitCode::SUCCESS),
        Err(error) => {
            eprintln!("{error}");
            Ok(ExitCode::FAILURE)
        }
    }
}

fn display_path(path: &Path) -> String {
    path.display().to_string()
}

/// Flags win over `llmspell.toml`, which wins over the defaults.
fn limits(config: &config::Config, args: &RunArgs) -> Result<Limits, String> {
    let mut limits = Limits::default();
    let sandbox = &config.sandbox;
    if let Some(text) = args.timeout.as_deref().or(sandbox.timeout.as_deref()) {
        limits.timeout = config::parse_duration(text).map_err(|error| format!("--timeout: {error}"))?;
    }
    if let Some(text) = args.memory_limit.as_deref().or(sandbox.memory_limit.as_deref()) {
        limits.memory = config::parse_size(text).map_err(|error| format!("--memory-limit: {error}"))?;
    }
    if let Some(count) = args.max_instructions.or(sandbox.max_instructions) {
        limits.max_instructions = (count > 0).then_some(count);
    }
    Ok(limits)
}

fn parse_params(pairs: &[String]) -> Result<Map, String> {
    let mut params = Map::new();
    for pair in pairs {
        let (key, value) = pair
            .split_once('=')
            .ok_or_else(|| format!("-p {pair:?}: expected KEY=VALUE"))?;
        if key.is_empty() {
            return Err(format!("-p {pair:?}: the key is empty"));
        }
        params.insert(key.to_owned(), Value::Str(value.to_owned()));
    }
    Ok(params)
}

fn check(args: CheckArgs) -> Result<ExitCode, String> {
    let engine = parse_engine(args.engine.as_deref())?;
    let spell = Spell::load(&args.file, engine).map_err(|error| error.headline())?;
    // The engine's compiler decides whether the spell is valid (it stops at its first error);
    // when it is not, the parse tree adds every other error with its position. A spell the
    // engine accepts is never reported from the tree: the grammars may lag the engines.
    let engine_diagnostics = llmspell_runtime::check(&spell);
    let mut diagnostics = Vec::new();
    if !engine_diagnostics.is_empty() {
        let tree =
            llmspell_syntax::parse(syntax_language(spell.engine), spell.code_without_shebang());
        diagnostics = tree_diagnostics(&spell.file_name(), &tree);
        for diagnostic in engine_diagnostics {
            if !diagnostics.iter().any(|known| known.line == diagnostic.line) {
                diagnostics.push(diagnostic);
            }
        }
    }
    diagnostics.sort_by_key(|diagnostic| (diagnostic.line, diagnostic.column));
    for diagnostic in &diagnostics {
        eprintln!("{diagnostic}");
    }
    if diagnostics.is_empty() {
        eprintln!("{}: ok", spell.file_name());
        Ok(ExitCode::SUCCESS)
    } else {
        Ok(ExitCode::FAILURE)
    }
}

fn parse(args: ParseArgs) -> Result<ExitCode, String> {
    let engine = parse_engine(args.engine.as_deref())?;
    let spell = Spell::load(&args.file, engine).map_err(|error| error.headline())?;
    let tree = llmspell_syntax::parse(syntax_language(spell.engine), spell.code_without_shebang());
    if args.sexp {
        println!("{}", tree.to_sexp());
    } else if let Some(root) = tree.root() {
        let mut outline = String::new();
        write_outline(&tree, root, 0, &mut outline);
        print!("{outline}");
    }
    let diagnostics = tree_diagnostics(&spell.file_name(), &tree);
    for diagnostic in &diagnostics {
        eprintln!("{diagnostic}");
    }
    Ok(if diagnostics.is_empty() { ExitCode::SUCCESS } else { ExitCode::FAILURE })
}

fn syntax_language(engine: EngineKind) -> llmspell_syntax::Language {
    match engine {
        EngineKind::Lua => llmspell_syntax::Language::Lua,
        EngineKind::Js => llmspell_syntax::Language::JavaScript,
        EngineKind::Rhai => llmspell_syntax::Language::Rhai,
    }
}

/// The parse tree's syntax errors as `file:line:column: message` diagnostics.
fn tree_diagnostics(file: &str, tree: &llmspell_syntax::SyntaxTree) -> Vec<llmspell_runtime::Diagnostic> {
    tree.errors()
        .iter()
        .map(|error| {
            let (line, column) = tree.line_column(error.range.start);
            llmspell_runtime::Diagnostic {
                file: file.to_owned(),
                line: line as u32,
                column: column as u32,
                message: error.message.clone(),
            }
        })
        .collect()
}

/// One named node a line, indented by depth: `kind 3:1-5:4`, with leaf text for short leaves.
fn write_outline(
    tree: &llmspell_syntax::SyntaxTree,
    node: llmspell_syntax::tree_sitter::Node<'_>,
    depth: usize,
    out: &mut String,
) {
    use std::fmt::Write as _;
    let (start_line, start_column) = tree.line_column(node.start_byte());
    let (end_line, end_column) = tree.line_column(node.end_byte());
    let _ = write!(
        out,
        "{:indent$}{} {start_line}:{start_column}-{end_line}:{end_column}",
        "",
        node.kind(),
        indent = depth * 2
    );
    if node.named_child_count() == 0 {
        let text = &tree.text()[node.start_byte()..node.end_byte()];
        if !text.is_empty() && text.len() <= 40 && !text.contains('\n') {
            let _ = write!(out, " {text:?}");
        }
    }
    out.push('\n');
    let mut cursor = node.walk();
    for child in node.named_children(&mut cursor) {
        write_outline(tree, child, depth + 1, out);
    }
}

fn api(args: ApiArgs) -> Result<ExitCode, String> {
    let manifest = llmspell_host::manifest_registry().manifest();
    if let Some(dir) = &args.stubs {
        std::fs::create_dir_all(dir).map_err(|error| format!("cannot create {}: {error}", dir.display()))?;
        for (name, text) in manifest.stub_files() {
            let path = dir.join(name);
            std::fs::write(&path, text).map_err(|error| format!("cannot write {}: {error}", path.display()))?;
        }
        return Ok(ExitCode::SUCCESS);
    }
    let text = if args.json {
        manifest.to_json()
    } else if args.markdown {
        manifest.to_markdown()
    } else {
        manifest.to_text()
    };
    print!("{text}");
    if args.json {
        println!();
    }
    Ok(ExitCode::SUCCESS)
}

fn models(args: ModelsArgs) -> Result<ExitCode, String> {
    let current = std::env::current_dir().map_err(|error| format!("cannot read the current folder: {error}"))?;
    let workspace = config::workspace_root(&current.join(config::CONFIG_FILE));
    let (config, config_path) = config::load(&workspace)?;
    let options = llm_setup::LlmOptions { quiet: true, ..llm_setup::LlmOptions::default() };
    let setup = llm_setup::build(&config, config_path.as_deref(), &workspace, &options)?;
    print!("{}", llm_setup::models_report(&setup, args.json)?);
    Ok(ExitCode::SUCCESS)
}
