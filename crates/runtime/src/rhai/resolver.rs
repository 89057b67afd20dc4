//! `import` confined to the workspace.
//!
//! `import "lib/util"` loads `lib/util.rhai` relative to the importing file. The path is
//! resolved with symlinks followed and must stay inside the workspace root: `..` escapes and
//! absolute paths elsewhere fail with `sandbox_denied` (catchable, like any host error);
//! a missing module fails with `not_found`. Imports nest at most [`MAX_IMPORT_DEPTH`] deep
//! and never in a cycle, so an import bomb cannot exhaust the stack.

use std::collections::HashMap;
use std::path::{Component, Path, PathBuf};
use std::sync::Mutex;

use llmspell_bridge::HostError;
use rhai::{Engine, EvalAltResult, GlobalRuntimeState, Module, ModuleResolver, Position, Scope, Shared};

use super::session::error_value;
use crate::SpellEnv;

/// How deep imports may nest.
const MAX_IMPORT_DEPTH: usize = 16;

pub(crate) struct WorkspaceResolver {
    /// The canonical workspace root; `None` when it does not exist (every import is denied).
    root: Option<PathBuf>,
    /// Where the spell is: relative imports of the spell itself start here.
    spell_folder: PathBuf,
    /// The spell's own source name (imports from it resolve against `spell_folder`).
    spell_source: String,
    /// Modules being loaded, outermost first.
    loading: Mutex<Vec<PathBuf>>,
    /// Modules already loaded by this spell.
    loaded: Mutex<HashMap<PathBuf, Shared<Module>>>,
}

impl WorkspaceResolver {
    pub fn new(env: &SpellEnv) -> WorkspaceResolver {
        let workspace = non_empty(&env.workspace);
        let spell_folder = non_empty(env.spell.path.parent().unwrap_or(Path::new(".")));
        WorkspaceResolver {
            root: workspace.canonicalize().ok(),
            spell_folder,
            spell_source: env.spell.file_name(),
            loading: Mutex::new(Vec::new()),
            loaded: Mutex::new(HashMap::new()),
        }
    }

    /// The file `path` names, checked against the workspace.
    fn locate(
        &self,
        importer: Option<&str>,
        path: &str,
        position: Position,
    ) -> Result<PathBuf, Box<EvalAltResult>> {
        let Some(root) = &self.root else {
            return Err(denied(path, position));
        };
        let folder = match importer {
            Some(source) if source != self.spell_source => {
                Path::new(source).parent().map(Path::to_path_buf).unwrap_or_else(|| self.spell_folder.clone())
            }
            _ => self.spell_folder.clone(),
        };
        let requested = Path::new(path);
        let mut candidate =
            if requested.is_absolute() { requested.to_path_buf() } else { folder.join(requested) };
        if candidate.extension().is_none() {
            candidate.set_extension("rhai");
        }
        match candidate.canonicalize() {
            Ok(canonical) if canonical.starts_with(root) => {
                if canonical.is_file() {
                    Ok(canonical)
                } else {
                    Err(missing(path, position))
                }
            }
            Ok(_) => Err(denied(path, position)),
            // Missing: say so only when the path would have been inside the workspace.
            Err(_) => match std::path::absolute(&candidate).map(|absolute| normalise(&absolute)) {
                Ok(lexical) if lexical.starts_with(root) => Err(missing(path, position)),
                _ => Err(denied(path, position)),
            },
        }
    }
}

impl ModuleResolver for WorkspaceResolver {
    fn resolve(
        &self,
        engine: &Engine,
        _source: Option<&str>,
        path: &str,
        position: Position,
    ) -> Result<Shared<Module>, Box<EvalAltResult>> {
        let mut global = engine.new_global_runtime_state();
        self.resolve_raw(engine, &mut global, &mut Scope::new(), path, position)
    }

    fn resolve_raw(
        &self,
        engine: &Engine,
        global: &mut GlobalRuntimeState,
        _scope: &mut Scope<'_>,
        path: &str,
        position: Position,
    ) -> Result<Shared<Module>, Box<EvalAltResult>> {
        let file = self.locate(global.source(), path, position)?;
        if let Some(module) = self.loaded.lock().ok().and_then(|loaded| loaded.get(&file).cloned()) {
            return Ok(module);
        }
        {
            let mut loading =
                self.loading.lock().map_err(|_| failure(path, "the import state is poisoned", position))?;
            if loading.contains(&file) {
                return Err(failure(path, "it imports itself (an import cycle)", position));
            }
            if loading.len() >= MAX_IMPORT_DEPTH {
                return Err(failure(
                    path,
                    &format!("imports nest more than {MAX_IMPORT_DEPTH} deep"),
                    position,
                ));
            }
            loading.push(file.clone());
        }
        let result = self.load(engine, global, &file, path, position);
        if let Ok(mut loading) = self.loading.lock() {
            loading.pop();
        }
        let module = result?;
        if let Ok(mut loaded) = self.loaded.lock() {
            loaded.insert(file, module.clone());
        }
        Ok(module)
    }
}

impl WorkspaceResolver {
    fn load(
        &self,
        engine: &Engine,
        global: &mut GlobalRuntimeState,
        file: &Path,
        path: &str,
        position: Position,
    ) -> Result<Shared<Module>, Box<EvalAltResult>> {
        let text = std::fs::read_to_string(file)
            .map_err(|error| failure(path, &format!("cannot read it: {error}"), position))?;
        let mut ast = engine.compile(&text).map_err(|error| {
            Box::new(EvalAltResult::ErrorInModule(path.to_owned(), error.into(), position))
        })?;
        ast.set_source(file.display().to_string());
        let module = Module::eval_ast_as_new_raw(engine, &mut Scope::new(), global, &ast)
            .map_err(|error| Box::new(EvalAltResult::ErrorInModule(path.to_owned(), error, position)))?;
        Ok(module.into())
    }
}

fn non_empty(path: &Path) -> PathBuf {
    if path.as_os_str().is_empty() { PathBuf::from(".") } else { path.to_path_buf() }
}

/// `path` with `.` and `..` resolved lexically.
fn normalise(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            Component::ParentDir => {
                out.pop();
            }
            Component::CurDir => {}
            other => out.push(other),
        }
    }
    out
}

fn denied(path: &str, position: Position) -> Box<EvalAltResult> {
    let error = HostError::sandbox_denied(format!("cannot import '{path}': it is outside the workspace"));
    Box::new(EvalAltResult::ErrorRuntime(error_value(error), position))
}

fn missing(path: &str, position: Position) -> Box<EvalAltResult> {
    let error =
        HostError::not_found(format!("cannot import '{path}': there is no such module in the workspace"));
    Box::new(EvalAltResult::ErrorRuntime(error_value(error), position))
}

fn failure(path: &str, reason: &str, position: Position) -> Box<EvalAltResult> {
    let error = HostError::invalid_argument(format!("cannot import '{path}': {reason}"));
    Box::new(EvalAltResult::ErrorRuntime(error_value(error), position))
}
