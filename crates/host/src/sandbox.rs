//! The file-system policy: every path a spell names is resolved inside the workspace root,
//! or refused with `sandbox_denied`.
//!
//! Paths are resolved one component at a time from the canonical root, following symbolic
//! links by hand: a `..` that would climb above the root, an absolute path outside it, or a
//! link (anywhere in the path, dangling or not) whose target lies outside it is denied.
//! What comes back is a path with no symbolic links left in its existing part, so the
//! operation that follows acts on exactly what was checked.
//!
//! Known limit: a concurrent process that swaps a checked folder for a link between the
//! check and the operation (a TOCTOU race) is not defended against.

use std::collections::VecDeque;
use std::ffi::OsString;
use std::io::ErrorKind;
use std::path::{Component, Path, PathBuf};

use llmspell_bridge::HostError;

/// The workspace folder that holds llmspell's own files (the state database): never
/// reachable through the sandbox, so a spell cannot corrupt or read it behind the state module.
pub const PRIVATE_FOLDER: &str = ".llmspell";

/// How many symbolic links one resolution may follow before giving up (as Linux does).
const MAX_SYMLINKS: usize = 40;

/// The path policy for one workspace root.
#[derive(Clone, Debug)]
pub struct Sandbox {
    root: PathBuf,
}

/// One step of a path still to resolve.
#[derive(Debug)]
enum Step {
    Parent,
    Name(OsString),
}

impl Sandbox {
    /// A policy confining paths to `root` (which should be absolute). Does no I/O.
    pub fn new(root: impl Into<PathBuf>) -> Sandbox {
        Sandbox { root: root.into() }
    }

    /// The workspace root as given.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Resolves `path` (relative to the root, or absolute inside it) to a real location
    /// inside the workspace, following every symbolic link.
    ///
    /// Errors: `sandbox_denied` for anything outside the root, `invalid_argument` for an
    /// empty path or one with a NUL byte, `io` for a link loop or an unreadable folder.
    pub fn resolve(&self, path: &str) -> Result<PathBuf, HostError> {
        if path.is_empty() {
            return Err(HostError::invalid_argument("the path is empty"));
        }
        if path.contains('\0') {
            return Err(HostError::invalid_argument("the path contains a NUL byte"));
        }
        let root = self.canonical_root()?;
        let requested = Path::new(path);
        let relative = if requested.is_absolute() {
            self.strip_root(requested, &root)
                .ok_or_else(|| outside(path))?
        } else {
            requested.to_path_buf()
        };
        let mut pending = VecDeque::new();
        push_front(&mut pending, &relative);
        let mut current = root.clone();
        let mut links_followed = 0;
        while let Some(step) = pending.pop_front() {
            match step {
                Step::Parent => {
                    if current == root {
                        return Err(outside(path));
                    }
                    current.pop();
                }
                Step::Name(name) => {
                    let candidate = current.join(&name);
                    match std::fs::symlink_metadata(&candidate) {
                        Ok(metadata) if metadata.file_type().is_symlink() => {
                            links_followed += 1;
                            if links_followed > MAX_SYMLINKS {
                                return Err(HostError::io(format!(
                                    "'{path}': too many levels of symbolic links"
                                )));
                            }
                            let target = std::fs::read_link(&candidate).map_err(|error| {
                                HostError::io(format!("'{path}': cannot read a link: {error}"))
                            })?;
                            if target.is_absolute() {
                                let rest = self
                                    .strip_root(&target, &root)
                                    .ok_or_else(|| outside_through_link(path))?;
                                current = root.clone();
                                push_front(&mut pending, &rest);
                            } else {
                                // Relative targets resolve against the link's own folder.
                                push_front(&mut pending, &target);
                            }
                        }
                        Ok(_) => current = candidate,
                        // Nothing exists here, so nothing below can be a link: keep walking.
                        Err(error)
                            if matches!(
                                error.kind(),
                                ErrorKind::NotFound | ErrorKind::NotADirectory
                            ) =>
                        {
                            current = candidate
                        }
                        Err(error) => {
                            return Err(HostError::io(format!("'{path}': {error}")));
                        }
                    }
                }
            }
        }
        // A link into the workspace may still have left `current` short of the root when a
        // relative target climbed: every `..` was checked against the root, so this holds.
        debug_assert!(current.starts_with(&root));
        if current.starts_with(root.join(PRIVATE_FOLDER)) {
            return Err(HostError::sandbox_denied(format!(
                "'{path}' is inside {PRIVATE_FOLDER}/, where llmspell keeps its own state (use the state module)"
            )));
        }
        Ok(current)
    }

    /// Like [`Sandbox::resolve`], but the last component is not followed when it is a link:
    /// the returned path names the directory entry itself (what `remove` deletes).
    ///
    /// The whole path is still checked, so a link leading outside is denied. The root
    /// itself is never an entry: naming it is `sandbox_denied`.
    pub fn resolve_entry(&self, path: &str) -> Result<PathBuf, HostError> {
        let resolved = self.resolve(path)?;
        let root = self.canonical_root()?;
        let requested = Path::new(path);
        let entry = match requested.components().next_back() {
            Some(Component::Normal(name)) => {
                let parent = requested.parent().map(Path::as_os_str).unwrap_or_default();
                let parent = if parent.is_empty() {
                    root.clone()
                } else {
                    let parent = parent.to_str().ok_or_else(|| {
                        HostError::invalid_argument(format!("'{path}' is not valid UTF-8"))
                    })?;
                    self.resolve(parent)?
                };
                parent.join(name)
            }
            _ => resolved,
        };
        if entry == root {
            return Err(HostError::sandbox_denied(format!(
                "'{path}' is the workspace root itself"
            )));
        }
        Ok(entry)
    }

    /// The root with every link resolved; every resolution starts here.
    fn canonical_root(&self) -> Result<PathBuf, HostError> {
        std::fs::canonicalize(&self.root).map_err(|error| {
            HostError::io(format!(
                "the workspace root {} is not usable: {error}",
                self.root.display()
            ))
        })
    }

    /// The part of an absolute `path` below the root (canonical or as given), if any.
    fn strip_root(&self, path: &Path, canonical_root: &Path) -> Option<PathBuf> {
        path.strip_prefix(canonical_root)
            .or_else(|_| path.strip_prefix(&self.root))
            .ok()
            .map(Path::to_path_buf)
    }
}

/// Queues the components of a relative path to be resolved next, in order.
fn push_front(pending: &mut VecDeque<Step>, relative: &Path) {
    let steps: Vec<Step> = relative
        .components()
        .filter_map(|component| match component {
            Component::ParentDir => Some(Step::Parent),
            Component::Normal(name) => Some(Step::Name(name.to_owned())),
            Component::CurDir | Component::RootDir | Component::Prefix(_) => None,
        })
        .collect();
    for step in steps.into_iter().rev() {
        pending.push_front(step);
    }
}

fn outside(path: &str) -> HostError {
    HostError::sandbox_denied(format!("'{path}' is outside the workspace"))
}

fn outside_through_link(path: &str) -> HostError {
    HostError::sandbox_denied(format!(
        "'{path}' leads outside the workspace through a symbolic link"
    ))
}

#[cfg(all(test, unix))]
mod tests {
    use std::os::unix::fs::symlink;

    use super::*;

    /// A workspace `ws` next to an `outside` folder holding a `secret` file, and a sibling
    /// `ws2` whose name shares the workspace's as a prefix.
    struct Fixture {
        _dir: tempfile::TempDir,
        base: PathBuf,
        ws: PathBuf,
        sandbox: Sandbox,
    }

    fn fixture() -> Fixture {
        let dir = tempfile::tempdir().unwrap();
        let base = std::fs::canonicalize(dir.path()).unwrap();
        let ws = base.join("ws");
        std::fs::create_dir_all(ws.join("docs/inner")).unwrap();
        std::fs::write(ws.join("docs/note.txt"), "note").unwrap();
        std::fs::create_dir_all(base.join("outside")).unwrap();
        std::fs::write(base.join("outside/secret"), "secret").unwrap();
        std::fs::create_dir_all(base.join("ws2")).unwrap();
        std::fs::write(base.join("ws2/file"), "other").unwrap();
        let sandbox = Sandbox::new(&ws);
        Fixture {
            _dir: dir,
            base,
            ws,
            sandbox,
        }
    }

    fn assert_denied(sandbox: &Sandbox, path: &str) {
        match sandbox.resolve(path) {
            Err(error) => assert_eq!(error.code, "sandbox_denied", "{path}: {error}"),
            Ok(resolved) => panic!("{path} escaped to {}", resolved.display()),
        }
    }

    #[test]
    fn dot_dot_escapes_are_denied() {
        let f = fixture();
        for path in [
            "..",
            "../outside/secret",
            "../../../../../../etc/passwd",
            "docs/../../outside/secret",
            "./../outside/secret",
            "docs/inner/../../../outside/secret",
            "docs//..//..//outside/secret",
            "missing/../../outside/secret",
            "docs/note.txt/../../../outside/secret",
            "../ws2/file",
            "../ws/../outside/secret",
        ] {
            assert_denied(&f.sandbox, path);
        }
    }

    #[test]
    fn absolute_paths_outside_are_denied() {
        let f = fixture();
        let base = f.base.display();
        for path in [
            "/etc/passwd".to_owned(),
            "/".to_owned(),
            format!("{base}/outside/secret"),
            // A sibling whose name starts with the workspace's name is not inside it.
            format!("{base}/ws2/file"),
            format!("{base}/ws/../outside/secret"),
            format!("{base}"),
        ] {
            assert_denied(&f.sandbox, &path);
        }
    }

    #[test]
    fn symlinks_leading_outside_are_denied() {
        let f = fixture();
        let ws = &f.ws;
        symlink(f.base.join("outside/secret"), ws.join("abs_file_link")).unwrap();
        symlink(f.base.join("outside"), ws.join("abs_dir_link")).unwrap();
        symlink("../outside", ws.join("rel_dir_link")).unwrap();
        symlink("..", ws.join("parent_link")).unwrap();
        symlink("/", ws.join("root_link")).unwrap();
        symlink(f.base.join("outside/not_yet"), ws.join("dangling_outside")).unwrap();
        symlink("../../outside", ws.join("docs/inner_climb")).unwrap();
        symlink("abs_dir_link", ws.join("chain1")).unwrap();
        symlink("chain1", ws.join("chain2")).unwrap();
        symlink(
            format!("{}/../outside", ws.display()),
            ws.join("through_root"),
        )
        .unwrap();
        symlink("../ws2", ws.join("prefix_sibling")).unwrap();
        symlink(f.base.join("outside"), ws.join("docs/inner/deep_link")).unwrap();
        for path in [
            "abs_file_link",
            "abs_dir_link/secret",
            "abs_dir_link",
            "rel_dir_link/secret",
            "parent_link/outside/secret",
            "parent_link",
            "root_link/etc/passwd",
            "dangling_outside",
            "dangling_outside/child.txt",
            "docs/inner_climb/secret",
            "chain2/secret",
            "through_root/secret",
            "prefix_sibling/file",
            "docs/inner/deep_link/secret",
            "docs/inner/deep_link/new/file.txt",
            "./docs/../abs_dir_link/../outside/secret",
        ] {
            assert_denied(&f.sandbox, path);
        }
        // The entry form checks the whole path too.
        assert_eq!(
            f.sandbox.resolve_entry("abs_file_link").unwrap_err().code,
            "sandbox_denied"
        );
    }

    #[test]
    fn a_workspace_reached_through_a_link_still_confines() {
        let f = fixture();
        symlink(&f.ws, f.base.join("ws_link")).unwrap();
        let sandbox = Sandbox::new(f.base.join("ws_link"));
        assert_denied(&sandbox, "../outside/secret");
        assert_denied(&sandbox, &format!("{}/outside/secret", f.base.display()));
        assert_denied(
            &sandbox,
            &format!("{}/ws_link/../outside/secret", f.base.display()),
        );
        assert_eq!(
            sandbox.resolve("docs/note.txt").unwrap(),
            f.ws.join("docs/note.txt")
        );
        let through_link = format!("{}/ws_link/docs/note.txt", f.base.display());
        assert_eq!(
            sandbox.resolve(&through_link).unwrap(),
            f.ws.join("docs/note.txt")
        );
    }

    #[test]
    fn legitimate_paths_resolve_inside() {
        let f = fixture();
        let ws = &f.ws;
        symlink("docs", ws.join("docs_link")).unwrap();
        symlink(ws.join("docs/note.txt"), ws.join("abs_inside")).unwrap();
        symlink("../note.txt", ws.join("docs/inner/up_link")).unwrap();
        symlink("new/target.txt", ws.join("dangling_inside")).unwrap();
        let cases = [
            ("docs/note.txt", "docs/note.txt"),
            ("./docs/note.txt", "docs/note.txt"),
            ("docs/inner/../note.txt", "docs/note.txt"),
            ("new/folder/file.txt", "new/folder/file.txt"),
            ("docs_link/note.txt", "docs/note.txt"),
            ("abs_inside", "docs/note.txt"),
            ("docs/inner/up_link", "docs/note.txt"),
            ("dangling_inside", "new/target.txt"),
            ("missing/../docs/note.txt", "docs/note.txt"),
            ("notes..txt", "notes..txt"),
            ("..hidden", "..hidden"),
            ("~/file", "~/file"),
        ];
        for (path, expected) in cases {
            assert_eq!(
                f.sandbox.resolve(path).unwrap(),
                ws.join(expected),
                "{path}"
            );
        }
        assert_eq!(f.sandbox.resolve(".").unwrap(), *ws);
        assert_eq!(f.sandbox.resolve("docs/..").unwrap(), *ws);
        let absolute = format!("{}/docs/note.txt", ws.display());
        assert_eq!(
            f.sandbox.resolve(&absolute).unwrap(),
            ws.join("docs/note.txt")
        );
    }

    #[test]
    fn entries_name_the_link_not_its_target() {
        let f = fixture();
        symlink("docs/note.txt", f.ws.join("note_link")).unwrap();
        symlink("docs", f.ws.join("docs_link")).unwrap();
        assert_eq!(
            f.sandbox.resolve_entry("note_link").unwrap(),
            f.ws.join("note_link")
        );
        assert_eq!(
            f.sandbox.resolve_entry("docs_link/note.txt").unwrap(),
            f.ws.join("docs/note.txt")
        );
        assert_eq!(
            f.sandbox.resolve_entry("docs/inner/..").unwrap(),
            f.ws.join("docs")
        );
        for root in [".", "docs/..", "./"] {
            assert_eq!(
                f.sandbox.resolve_entry(root).unwrap_err().code,
                "sandbox_denied",
                "{root}"
            );
        }
    }

    #[test]
    fn link_loops_and_bad_paths_are_errors() {
        let f = fixture();
        symlink("loop_b", f.ws.join("loop_a")).unwrap();
        symlink("loop_a", f.ws.join("loop_b")).unwrap();
        let error = f.sandbox.resolve("loop_a/file").unwrap_err();
        assert_eq!(error.code, "io");
        assert!(error.message.contains("too many levels"), "{error}");
        assert_eq!(f.sandbox.resolve("").unwrap_err().code, "invalid_argument");
        assert_eq!(
            f.sandbox.resolve("a\0b").unwrap_err().code,
            "invalid_argument"
        );
        let missing = Sandbox::new(f.base.join("no_such_workspace"));
        assert_eq!(missing.resolve("file").unwrap_err().code, "io");
    }

    #[test]
    fn the_private_state_folder_is_out_of_reach() {
        let workspace = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(workspace.path().join(".llmspell")).unwrap();
        std::fs::write(workspace.path().join(".llmspell/state.db"), "db").unwrap();
        std::os::unix::fs::symlink(".llmspell", workspace.path().join("innocent")).unwrap();
        let sandbox = Sandbox::new(workspace.path());
        for path in [".llmspell/state.db", ".llmspell", "./.llmspell/x", "innocent/state.db", "a/../.llmspell/state.db"] {
            let error = sandbox.resolve(path).unwrap_err();
            assert_eq!(error.code, "sandbox_denied", "{path}: {error}");
        }
        assert!(sandbox.resolve(".llmspellish/notes.txt").is_ok());
    }
}
