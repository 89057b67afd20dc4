//! The open documents: which of them are spells (and of which workspace), their text and parse
//! trees, and the changes the client sends, applied in arrival order.
//!
//! A document is a spell when it is a `.rhai` file, or a `.lua`, `.js` or `.mjs` file with an
//! `llmspell.toml` in its folder or any folder above it. Every other document is still tracked
//! (so its changes apply and a later request finds it) but answered with nothing.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};

use llmspell_ide::{Document, Language, LineIndex, Range};
use tower_lsp_server::UriExt;
use tower_lsp_server::lsp_types::Uri;

/// The file that marks a spell workspace.
pub const CONFIG_FILE: &str = "llmspell.toml";

/// All open documents, by URI. Each document has its own lock, so a long request on one file
/// never blocks changes to another.
#[derive(Default)]
pub struct Documents {
    open: Mutex<HashMap<String, Arc<Mutex<OpenDocument>>>>,
}

/// One open document.
pub struct OpenDocument {
    pub uri: Uri,
    pub version: i32,
    pub content: Content,
}

/// What a document is to the server.
pub enum Content {
    /// A spell, parsed; `root` is its workspace (the folder holding `llmspell.toml`), if any.
    Spell {
        document: Document,
        root: Option<PathBuf>,
    },
    /// A workspace's `llmspell.toml`.
    Config { text: String, root: PathBuf },
    /// Anything else: tracked, never analysed.
    Other { text: String },
}

/// One change of a `didChange` notification, in editor terms.
pub struct Change {
    /// `None` replaces the whole text.
    pub range: Option<Range>,
    pub text: String,
}

impl Documents {
    /// Opens (or reopens) a document.
    pub fn open(&self, uri: Uri, version: i32, text: &str) -> Arc<Mutex<OpenDocument>> {
        let content = match classify(&uri) {
            Kind::Spell { language, root } => Content::Spell {
                document: Document::new(language, text),
                root,
            },
            Kind::Config { root } => Content::Config {
                text: text.to_owned(),
                root,
            },
            Kind::Other => Content::Other {
                text: text.to_owned(),
            },
        };
        let document = Arc::new(Mutex::new(OpenDocument {
            uri: uri.clone(),
            version,
            content,
        }));
        lock(&self.open).insert(uri.as_str().to_owned(), document.clone());
        document
    }

    /// Applies a `didChange` notification's edits in order. A change to a document that is not
    /// open is ignored (returns `None`).
    pub fn change(
        &self,
        uri: &Uri,
        version: i32,
        changes: Vec<Change>,
    ) -> Option<Arc<Mutex<OpenDocument>>> {
        let document = self.get(uri)?;
        {
            let mut open = lock(&document);
            open.version = version;
            for change in changes {
                open.content.apply(change.range, &change.text);
            }
        }
        Some(document)
    }

    pub fn close(&self, uri: &Uri) -> Option<Arc<Mutex<OpenDocument>>> {
        lock(&self.open).remove(uri.as_str())
    }

    pub fn get(&self, uri: &Uri) -> Option<Arc<Mutex<OpenDocument>>> {
        lock(&self.open).get(uri.as_str()).cloned()
    }

    /// Every open document, in no particular order.
    pub fn all(&self) -> Vec<Arc<Mutex<OpenDocument>>> {
        lock(&self.open).values().cloned().collect()
    }
}

impl Content {
    pub fn text(&self) -> &str {
        match self {
            Content::Spell { document, .. } => document.text(),
            Content::Config { text, .. } | Content::Other { text } => text,
        }
    }

    fn apply(&mut self, range: Option<Range>, new_text: &str) {
        match self {
            Content::Spell { document, .. } => document.apply_change(range, new_text),
            Content::Config { text, .. } | Content::Other { text } => {
                replace(text, range, new_text)
            }
        }
    }
}

/// Locks a mutex even if a panic poisoned it: the data behind every lock here stays consistent
/// (a panic in the analysis happens on a read-only borrow).
pub fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// The workspace root of a path: the nearest folder at or above it holding `llmspell.toml`.
pub fn workspace_root(path: &Path) -> Option<PathBuf> {
    let mut current = path.parent();
    while let Some(folder) = current {
        if folder.join(CONFIG_FILE).is_file() {
            return Some(folder.to_path_buf());
        }
        current = folder.parent();
    }
    None
}

enum Kind {
    Spell {
        language: Language,
        root: Option<PathBuf>,
    },
    Config {
        root: PathBuf,
    },
    Other,
}

fn classify(uri: &Uri) -> Kind {
    let path = uri.to_file_path().map(|path| path.into_owned());
    let name = match &path {
        Some(path) => path
            .file_name()
            .and_then(|name| name.to_str())
            .unwrap_or("")
            .to_owned(),
        None => uri
            .path()
            .as_str()
            .rsplit('/')
            .next()
            .unwrap_or("")
            .to_owned(),
    };
    if name == CONFIG_FILE {
        return match path.as_deref().and_then(Path::parent) {
            Some(root) => Kind::Config {
                root: root.to_path_buf(),
            },
            None => Kind::Other,
        };
    }
    let Some(extension) = name.rsplit_once('.').map(|(_, extension)| extension) else {
        return Kind::Other;
    };
    let root = path.as_deref().and_then(workspace_root);
    match extension {
        "rhai" => Kind::Spell {
            language: Language::Rhai,
            root,
        },
        "lua" if root.is_some() => Kind::Spell {
            language: Language::Lua,
            root,
        },
        "js" | "mjs" if root.is_some() => Kind::Spell {
            language: Language::JavaScript,
            root,
        },
        _ => Kind::Other,
    }
}

/// Replaces `range` of `text` (the whole text when `None`), clamping out-of-range positions.
fn replace(text: &mut String, range: Option<Range>, new_text: &str) {
    match range {
        Some(range) => {
            let index = LineIndex::new(text);
            let range = index.text_range(text, range);
            text.replace_range(range.start..range.end, new_text);
        }
        None => *text = new_text.to_owned(),
    }
}
