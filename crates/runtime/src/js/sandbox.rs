//! The module loader of a JavaScript spell: `import` resolves only relative or absolute
//! paths of files inside the workspace (symlinks resolved, `..` escapes denied). There is no
//! `std`, `os` or any other built-in module; a bare specifier is `sandbox_denied`.

use std::path::{Component, Path, PathBuf};

use llmspell_bridge::{HostError, codes};
use rquickjs::loader::{ImportAttributes, Loader, Resolver};
use rquickjs::module::Declared;
use rquickjs::{Ctx, Module};

use super::convert::throw_host_error;

/// Resolves and loads spell modules inside one workspace folder.
pub(super) struct WorkspaceLoader {
    /// The workspace as given (absolute when the spell's path is).
    root: PathBuf,
    /// The workspace with symlinks resolved, when it exists.
    canonical_root: Option<PathBuf>,
}

impl WorkspaceLoader {
    pub fn new(workspace: &Path) -> WorkspaceLoader {
        let root = if workspace.as_os_str().is_empty() { PathBuf::from(".") } else { workspace.to_path_buf() };
        let canonical_root = root.canonicalize().ok();
        WorkspaceLoader { root, canonical_root }
    }

    /// The module name (a normalised path) for `specifier` imported from module `base`.
    pub fn resolve_path(&self, base: &str, specifier: &str) -> Result<String, HostError> {
        let relative = specifier.starts_with("./") || specifier.starts_with("../");
        if !relative && !Path::new(specifier).is_absolute() {
            return Err(HostError::sandbox_denied(format!(
                "import of '{specifier}' denied: a spell can import only files inside its workspace, by a relative path like './{specifier}.js'"
            )));
        }
        let base_folder = Path::new(base).parent().map(Path::to_path_buf).unwrap_or_default();
        let joined = if relative { base_folder.join(specifier) } else { PathBuf::from(specifier) };
        let mut candidate = normalise(&joined);
        if !self.inside_lexically(&candidate) {
            return Err(outside(specifier));
        }
        if !candidate.is_file() {
            // `import './lib'` finds lib.js or lib.mjs.
            let found =
                ["js", "mjs"].iter().map(|extension| with_extension(&candidate, extension)).find(|path| path.is_file());
            match found {
                Some(path) => candidate = path,
                None => {
                    return Err(HostError::new(
                        codes::NOT_FOUND,
                        format!("cannot find module '{specifier}' (looked for {})", candidate.display()),
                    ));
                }
            }
        }
        // Symlinks may point anywhere: the real file must be inside the real workspace.
        let real = candidate
            .canonicalize()
            .map_err(|error| HostError::new(codes::NOT_FOUND, format!("cannot open module '{specifier}': {error}")))?;
        match &self.canonical_root {
            Some(root) if real.starts_with(root) => {}
            _ => return Err(outside(specifier)),
        }
        Ok(candidate.to_string_lossy().into_owned())
    }

    /// Whether `path` (normalised) lies inside the workspace, before resolving symlinks.
    fn inside_lexically(&self, path: &Path) -> bool {
        let root = normalise(&self.root);
        let absolute = |path: &Path| -> PathBuf {
            if path.is_absolute() {
                path.to_path_buf()
            } else {
                std::env::current_dir().map(|current| normalise(&current.join(path))).unwrap_or_default()
            }
        };
        let (path, root) = (absolute(path), absolute(&root));
        !root.as_os_str().is_empty() && path.starts_with(&root)
    }

    fn load_source(&self, name: &str) -> Result<String, HostError> {
        // The resolver produced `name`; check again so nothing else can be loaded.
        let path = Path::new(name);
        let real = path
            .canonicalize()
            .map_err(|error| HostError::new(codes::NOT_FOUND, format!("cannot open module {name}: {error}")))?;
        if !self.inside_lexically(&normalise(path))
            || !self.canonical_root.as_ref().is_some_and(|root| real.starts_with(root))
        {
            return Err(outside(name));
        }
        let bytes =
            std::fs::read(&real).map_err(|error| HostError::io(format!("cannot read module {name}: {error}")))?;
        String::from_utf8(bytes).map_err(|error| {
            HostError::new(
                codes::SYNTAX,
                format!("module {name} is not valid UTF-8 (byte {})", error.utf8_error().valid_up_to()),
            )
        })
    }
}

fn outside(specifier: &str) -> HostError {
    HostError::sandbox_denied(format!("import of '{specifier}' denied: it is outside the spell's workspace"))
}

fn with_extension(path: &Path, extension: &str) -> PathBuf {
    let mut text = path.as_os_str().to_owned();
    text.push(".");
    text.push(extension);
    PathBuf::from(text)
}

/// Removes `.` and resolves `..` without touching the file system.
fn normalise(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => match out.components().next_back() {
                Some(Component::Normal(_)) => {
                    out.pop();
                }
                // `/..` is `/`.
                Some(Component::RootDir | Component::Prefix(_)) => {}
                // Above a relative path's start: keep the `..` so containment fails.
                _ => out.push(".."),
            },
            other => out.push(other.as_os_str()),
        }
    }
    out
}

/// The resolver half, as rquickjs wants it.
pub(super) struct SandboxResolver(pub std::rc::Rc<WorkspaceLoader>);
/// The loader half, as rquickjs wants it.
pub(super) struct SandboxLoader(pub std::rc::Rc<WorkspaceLoader>);

impl Resolver for SandboxResolver {
    fn resolve<'js>(
        &mut self,
        ctx: &Ctx<'js>,
        base: &str,
        name: &str,
        _attributes: Option<ImportAttributes<'js>>,
    ) -> rquickjs::Result<String> {
        self.0.resolve_path(base, name).map_err(|error| throw_host_error(ctx, &error))
    }
}

impl Loader for SandboxLoader {
    fn load<'js>(
        &mut self,
        ctx: &Ctx<'js>,
        name: &str,
        _attributes: Option<ImportAttributes<'js>>,
    ) -> rquickjs::Result<Module<'js, Declared>> {
        let source = self.0.load_source(name).map_err(|error| throw_host_error(ctx, &error))?;
        Module::declare(ctx.clone(), name, source)
    }
}
