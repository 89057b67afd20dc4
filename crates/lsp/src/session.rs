//! The state one client session shares between the transport, the handlers and the diagnostics
//! task: open documents, one analysis per workspace, the configuration of each workspace, and
//! the queue of documents whose diagnostics must be (re)published.
//!
//! Every analysis call goes through [`Session::analyse`], which catches a panic and turns it into
//! an error, so a bug in one feature costs one answer, never the server.

use std::collections::{BTreeSet, HashMap};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;
use std::sync::{Arc, Mutex, RwLock, Weak};

use llmspell_ide::{Document, Ide, ProjectConfig};
use tokio::sync::mpsc;
use tower_lsp_server::Client;
use tower_lsp_server::UriExt;
use tower_lsp_server::lsp_types::{self as lsp, Uri};

use crate::answers::RequestLedger;
use crate::documents::{CONFIG_FILE, Content, Documents, OpenDocument, lock};
use crate::{ConfigError, FAULT_INJECTION_MARKER, ServerOptions, to_proto};

/// Shared by everything serving one client.
pub struct Session {
    pub options: ServerOptions,
    pub documents: Documents,
    /// Set once the client sent `initialize`: document notifications before it are ignored.
    pub initialize_seen: AtomicBool,
    /// Set when the transport reads a `shutdown` request (after `initialize`).
    pub shutdown_requested: AtomicBool,
    /// The requests the transport forwarded and which of them are answered.
    pub requests: Arc<RequestLedger>,
    /// Whether the client accepts snippets in completion items.
    pub snippet_support: AtomicBool,
    /// The analysis of each workspace root (`None`: `.rhai` files outside any workspace).
    workspaces: RwLock<HashMap<Option<PathBuf>, Workspace>>,
    /// Documents whose diagnostics are due, for the diagnostics task.
    diagnostics_queue: mpsc::UnboundedSender<Job>,
    diagnostics_receiver: Mutex<Option<mpsc::UnboundedReceiver<Job>>>,
}

/// Why an analysis call produced no answer.
#[derive(Debug)]
pub enum AnalysisError {
    /// The analysis panicked; the message is the panic's.
    Panicked(String),
}

struct Workspace {
    ide: Arc<Ide>,
    /// The configuration error of the last load, if it failed.
    config_error: Option<ConfigError>,
}

enum Job {
    /// Publish the diagnostics of one document.
    Document(Uri),
    /// Publish the configuration diagnostics of a workspace's `llmspell.toml`.
    Config(PathBuf),
    /// Clear what was published for a document that was closed.
    Clear(Uri),
}

impl Session {
    pub fn new(options: ServerOptions) -> Arc<Session> {
        let (sender, receiver) = mpsc::unbounded_channel();
        Arc::new(Session {
            options,
            documents: Documents::default(),
            initialize_seen: AtomicBool::new(false),
            shutdown_requested: AtomicBool::new(false),
            requests: Arc::new(RequestLedger::default()),
            snippet_support: AtomicBool::new(false),
            workspaces: RwLock::new(HashMap::new()),
            diagnostics_queue: sender,
            diagnostics_receiver: Mutex::new(Some(receiver)),
        })
    }

    /// Starts the task that publishes diagnostics through `client`. It holds the session weakly
    /// and ends when the session is dropped.
    pub fn start_diagnostics_task(self: &Arc<Session>, client: Client) {
        let Some(mut receiver) = lock(&self.diagnostics_receiver).take() else {
            return;
        };
        let session = Arc::downgrade(self);
        tokio::spawn(async move {
            while let Some(first) = receiver.recv().await {
                // Coalesce: during an edit storm, publish once per document for the latest text.
                let mut documents = BTreeSet::new();
                let mut configs = BTreeSet::new();
                let mut cleared = BTreeSet::new();
                let mut job = Some(first);
                while let Some(next) = job.take().or_else(|| receiver.try_recv().ok()) {
                    match next {
                        Job::Document(uri) => {
                            documents.insert(uri.as_str().to_owned());
                        }
                        Job::Config(root) => {
                            configs.insert(root);
                        }
                        Job::Clear(uri) => {
                            cleared.insert(uri.as_str().to_owned());
                        }
                    }
                }
                for uri in cleared {
                    let Ok(uri) = uri.parse::<Uri>() else {
                        continue;
                    };
                    client.publish_diagnostics(uri, Vec::new(), None).await;
                }
                for root in configs {
                    let Some(session) = Weak::upgrade(&session) else {
                        return;
                    };
                    if let Some((uri, diagnostics)) = session.config_diagnostics(&root) {
                        drop(session);
                        client.publish_diagnostics(uri, diagnostics, None).await;
                    }
                }
                for uri in documents {
                    let Some(session) = Weak::upgrade(&session) else {
                        return;
                    };
                    let Ok(uri) = uri.parse::<Uri>() else {
                        continue;
                    };
                    let published = session.document_diagnostics(&uri);
                    drop(session);
                    if let Some((diagnostics, version)) = published {
                        client
                            .publish_diagnostics(uri, diagnostics, Some(version))
                            .await;
                    }
                }
            }
        });
    }

    /// Queues the publication of a document's diagnostics.
    pub fn schedule_diagnostics(&self, uri: &Uri) {
        let _ = self.diagnostics_queue.send(Job::Document(uri.clone()));
    }

    /// Runs one analysis call on a spell document under its lock, catching panics. `Ok(None)`
    /// when the document is not open or not a spell.
    pub fn analyse<T>(
        &self,
        uri: &Uri,
        call: impl FnOnce(&Ide, &Document) -> T,
    ) -> Result<Option<T>, AnalysisError> {
        Ok(self.analyse_version(uri, call)?.map(|(answer, _)| answer))
    }

    /// [`Session::analyse`], with the version of the text the answer was computed from.
    fn analyse_version<T>(
        &self,
        uri: &Uri,
        call: impl FnOnce(&Ide, &Document) -> T,
    ) -> Result<Option<(T, i32)>, AnalysisError> {
        let Some(open) = self.documents.get(uri) else {
            return Ok(None);
        };
        let open = lock(&open);
        let Content::Spell { document, root } = &open.content else {
            return Ok(None);
        };
        let ide = self.ide(root.as_deref());
        let fault_injection = self.options.fault_injection;
        catch_unwind(AssertUnwindSafe(|| {
            if fault_injection && document.text().contains(FAULT_INJECTION_MARKER) {
                panic!("fault injection: the document asks for a panic");
            }
            call(&ide, document)
        }))
        .map(|answer| Some((answer, open.version)))
        .map_err(|payload| AnalysisError::Panicked(panic_message(payload.as_ref())))
    }

    /// The analysis for a workspace root, loading its configuration on first use.
    pub fn ide(&self, root: Option<&Path>) -> Arc<Ide> {
        let key = root.map(Path::to_path_buf);
        if let Some(workspace) = self
            .workspaces
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .get(&key)
        {
            return workspace.ide.clone();
        }
        let workspace = self.load_workspace(root, None);
        let mut workspaces = self.workspaces.write().unwrap_or_else(|e| e.into_inner());
        workspaces.entry(key).or_insert(workspace).ide.clone()
    }

    /// Reloads a workspace's configuration (the file changed on disk, or its open buffer
    /// changed: then `text` is the buffer), and republishes every diagnostic it affects.
    pub fn reload_config(&self, root: &Path, text: Option<&str>) {
        let workspace = self.load_workspace(Some(root), text);
        self.workspaces
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .insert(Some(root.to_path_buf()), workspace);
        let _ = self.diagnostics_queue.send(Job::Config(root.to_path_buf()));
        for open in self.documents.all() {
            let open = lock(&open);
            if let Content::Spell {
                root: Some(spell_root),
                ..
            } = &open.content
                && spell_root == root
            {
                self.schedule_diagnostics(&open.uri);
            }
        }
    }

    /// A document was opened or changed: republish what depends on it. Takes the document's
    /// lock only to read it (reloading a configuration locks every open document).
    pub fn document_changed(&self, open: &Mutex<OpenDocument>) {
        enum Changed {
            Spell(Uri, Option<PathBuf>),
            Config(PathBuf, String),
            Other,
        }
        let changed = {
            let open = lock(open);
            match &open.content {
                Content::Spell { root, .. } => Changed::Spell(open.uri.clone(), root.clone()),
                Content::Config { text, root } => Changed::Config(root.clone(), text.clone()),
                Content::Other { .. } => Changed::Other,
            }
        };
        match changed {
            Changed::Spell(uri, root) => {
                // Load the workspace now, so its configuration diagnostics appear with the
                // first spell opened in it.
                if let Some(root) = root
                    && !self.has_workspace(&root)
                {
                    self.ide(Some(&root));
                    let _ = self.diagnostics_queue.send(Job::Config(root));
                }
                self.schedule_diagnostics(&uri);
            }
            Changed::Config(root, text) => self.reload_config(&root, Some(&text)),
            Changed::Other => {}
        }
    }

    fn has_workspace(&self, root: &Path) -> bool {
        self.workspaces
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .contains_key(&Some(root.to_path_buf()))
    }

    fn load_workspace(&self, root: Option<&Path>, text: Option<&str>) -> Workspace {
        let (config, config_error) = match root {
            None => (ProjectConfig::default(), None),
            Some(root) => {
                let path = root.join(CONFIG_FILE);
                let load = &self.options.load_config;
                match catch_unwind(AssertUnwindSafe(|| load(&path, text))) {
                    Ok(Ok(config)) => (config, None),
                    Ok(Err(error)) => {
                        tracing::warn!("{}: {}", path.display(), error.message);
                        (ProjectConfig::default(), Some(error))
                    }
                    Err(payload) => {
                        let message = panic_message(payload.as_ref());
                        tracing::error!("reading {} panicked: {message}", path.display());
                        let error = ConfigError {
                            message,
                            line: None,
                            column: None,
                        };
                        (ProjectConfig::default(), Some(error))
                    }
                }
            }
        };
        let ide = catch_unwind(AssertUnwindSafe(|| {
            Ide::new(&self.options.manifest, config)
        }))
        .unwrap_or_else(|_| Ide::new(&self.options.manifest, ProjectConfig::default()));
        Workspace {
            ide: Arc::new(ide),
            config_error,
        }
    }

    /// The diagnostics of a spell and the version of the text they were computed from (`None` for
    /// a document that is not an open spell).
    fn document_diagnostics(&self, uri: &Uri) -> Option<(Vec<lsp::Diagnostic>, i32)> {
        let computed = self.analyse_version(uri, |ide, document| {
            to_proto::diagnostics(ide.diagnostics(document))
        });
        match computed {
            Ok(diagnostics) => diagnostics,
            Err(AnalysisError::Panicked(message)) => {
                tracing::error!("diagnostics of {} panicked: {message}", uri.as_str());
                None
            }
        }
    }

    /// The diagnostics of a workspace's `llmspell.toml`: its load error, if any.
    fn config_diagnostics(&self, root: &Path) -> Option<(Uri, Vec<lsp::Diagnostic>)> {
        let uri = Uri::from_file_path(root.join(CONFIG_FILE))?;
        let workspaces = self.workspaces.read().unwrap_or_else(|e| e.into_inner());
        let error = workspaces
            .get(&Some(root.to_path_buf()))?
            .config_error
            .clone();
        Some((
            uri,
            error.map(to_proto::config_diagnostic).into_iter().collect(),
        ))
    }
}

/// Whether a path names a workspace configuration file, and its root.
pub fn config_root(uri: &Uri) -> Option<PathBuf> {
    let path = uri.to_file_path()?;
    if path.file_name()? != CONFIG_FILE {
        return None;
    }
    path.parent().map(Path::to_path_buf)
}

fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|text| (*text).to_owned())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a panic with no message".to_owned())
}

/// Whether [`Session::apply_notification`] applies this method: a notification that changes
/// what later requests see.
pub fn is_document_notification(method: &str) -> bool {
    use lsp::notification::{
        DidChangeTextDocument, DidCloseTextDocument, DidOpenTextDocument, DidSaveTextDocument,
        Notification,
    };
    matches!(
        method,
        DidOpenTextDocument::METHOD
            | DidChangeTextDocument::METHOD
            | DidCloseTextDocument::METHOD
            | DidSaveTextDocument::METHOD
    )
}

impl Session {
    /// Applies a document notification (`didOpen`, `didChange`, `didClose`, `didSave`), in the
    /// order the client sent it; other methods are left to the service.
    pub fn apply_notification(&self, method: &str, params: serde_json::Value) {
        use lsp::notification::{
            DidChangeTextDocument, DidCloseTextDocument, DidOpenTextDocument, DidSaveTextDocument,
            Notification,
        };
        match method {
            DidOpenTextDocument::METHOD => {
                let Some(params) = parse::<lsp::DidOpenTextDocumentParams>(method, params) else {
                    return;
                };
                let document = params.text_document;
                let open = self
                    .documents
                    .open(document.uri, document.version, &document.text);
                self.document_changed(&open);
            }
            DidChangeTextDocument::METHOD => {
                let Some(params) = parse::<lsp::DidChangeTextDocumentParams>(method, params) else {
                    return;
                };
                let changes = params
                    .content_changes
                    .into_iter()
                    .map(|change| crate::documents::Change {
                        range: change.range.map(crate::from_proto::range),
                        text: change.text,
                    })
                    .collect();
                let document = params.text_document;
                match self
                    .documents
                    .change(&document.uri, document.version, changes)
                {
                    Some(open) => self.document_changed(&open),
                    None => {
                        tracing::warn!("a change to {}, which is not open", document.uri.as_str())
                    }
                }
            }
            DidCloseTextDocument::METHOD => {
                let Some(params) = parse::<lsp::DidCloseTextDocumentParams>(method, params) else {
                    return;
                };
                let uri = params.text_document.uri;
                let closed_spell = self
                    .documents
                    .close(&uri)
                    .is_some_and(|open| matches!(lock(&open).content, Content::Spell { .. }));
                if closed_spell {
                    // Clear what was published for it: the editor no longer shows the file.
                    let _ = self.diagnostics_queue.send(Job::Clear(uri));
                }
            }
            DidSaveTextDocument::METHOD => {
                let Some(params) = parse::<lsp::DidSaveTextDocumentParams>(method, params) else {
                    return;
                };
                if let Some(root) = config_root(&params.text_document.uri) {
                    self.reload_config(&root, params.text.as_deref());
                }
            }
            _ => {}
        }
    }
}

fn parse<T: serde::de::DeserializeOwned>(method: &str, params: serde_json::Value) -> Option<T> {
    serde_json::from_value(params)
        .map_err(|error| tracing::warn!("{method}: invalid parameters: {error}"))
        .ok()
}
