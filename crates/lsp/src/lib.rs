//! The llmspell language server: LSP over a byte stream (stdio in the `llmspell lsp` command).
//!
//! Thin by design: every request is converted into editor terms ([`from_proto`]), answered by one
//! call on [`llmspell_ide::Ide`], and converted back ([`to_proto`]). What this crate adds is the
//! session around the analysis:
//!
//! - [`transport`] reads the client's messages tolerantly (bad headers, invalid UTF-8, garbage
//!   between messages), applies document changes strictly in arrival order, and hands every
//!   message on to the JSON-RPC machinery of `tower-lsp-server`, which runs handlers
//!   concurrently;
//! - [`answers`] holds each document change until every request sent before it has been
//!   answered, so a request is answered against the text it was sent on;
//! - [`documents`] holds the open documents and decides which of them are spells;
//! - [`session`] owns the per-workspace analysis (one [`llmspell_ide::Ide`] per `llmspell.toml`),
//!   reloads configuration, publishes diagnostics from its own task, and turns a panic in the
//!   analysis into an error answer instead of a dead server;
//! - [`server`] implements the LSP methods.
//!
//! Logs go through `tracing`; the caller decides where (stderr or a file). Nothing but protocol is
//! ever written to the output stream.

mod answers;
mod documents;
mod from_proto;
mod server;
mod session;
mod to_proto;
mod transport;

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::Ordering;

use llmspell_bridge::Manifest;
use llmspell_ide::ProjectConfig;
use tokio::io::{AsyncRead, AsyncWrite};
use tower_lsp_server::{LspService, Server};

/// Reads a workspace's `llmspell.toml`: the path of the file, and its text when the editor has it
/// open (possibly unsaved). Given by the caller, which owns the configuration format.
pub type LoadConfig =
    Arc<dyn Fn(&Path, Option<&str>) -> Result<ProjectConfig, ConfigError> + Send + Sync>;

/// What the server needs from its caller.
#[derive(Clone)]
pub struct ServerOptions {
    /// The host API the spells are analysed against.
    pub manifest: Manifest,
    /// Reads `llmspell.toml`.
    pub load_config: LoadConfig,
    /// Testing aid: when set, any request on a document whose text contains
    /// [`FAULT_INJECTION_MARKER`] panics inside the analysis, to prove that a panicking handler
    /// answers with an error and the server keeps serving. Off unless the caller turns it on.
    pub fault_injection: bool,
}

impl std::fmt::Debug for ServerOptions {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("ServerOptions")
            .field("fault_injection", &self.fault_injection)
            .finish_non_exhaustive()
    }
}

/// With [`ServerOptions::fault_injection`], a document containing this text makes every analysis
/// request on it panic.
pub const FAULT_INJECTION_MARKER: &str = "LLMSPELL_LSP_INJECT_PANIC";

/// A configuration error: the message, and where in `llmspell.toml` it is (1-based), if known.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfigError {
    pub message: String,
    pub line: Option<u32>,
    pub column: Option<u32>,
}

/// How a session ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ServeOutcome {
    /// Whether the client sent `shutdown` before `exit` (or before closing the stream).
    pub shutdown_requested: bool,
}

impl ServeOutcome {
    /// The process exit code the specification asks for: 0 after `shutdown`, else 1.
    pub fn exit_code(self) -> u8 {
        if self.shutdown_requested { 0 } else { 1 }
    }
}

/// How long the service may take to finish after `exit` or the end of the input.
const EXIT_GRACE: std::time::Duration = std::time::Duration::from_secs(2);

/// Serves one client on the process's stdin and stdout (what `llmspell lsp` does).
pub async fn serve_stdio(options: ServerOptions) -> ServeOutcome {
    serve(tokio::io::stdin(), tokio::io::stdout(), options).await
}

/// Serves one client until it sends `exit` or closes `input`.
pub async fn serve<I, O>(input: I, output: O, options: ServerOptions) -> ServeOutcome
where
    I: AsyncRead + Unpin,
    O: AsyncWrite + Unpin,
{
    let session = session::Session::new(options);
    let (service, socket) = LspService::build({
        let session = session.clone();
        move |client| server::SpellServer::new(session, client)
    })
    .custom_method(
        transport::PARSE_ERROR_METHOD,
        server::SpellServer::parse_error,
    )
    .custom_method(
        transport::INVALID_REQUEST_METHOD,
        server::SpellServer::invalid_request,
    )
    .custom_method(
        transport::METHOD_NOT_FOUND_METHOD,
        server::SpellServer::method_not_found,
    )
    .custom_method("llmspell/documentText", server::SpellServer::document_text)
    .finish();

    // The transport reads the real input and writes re-framed, valid messages into this pipe,
    // which tower-lsp-server reads.
    let (pipe_reader, pipe_writer) = tokio::io::duplex(1 << 20);
    let reader = transport::pump(input, pipe_writer, session.clone());
    let service = answers::TrackAnswers::new(service, session.requests.clone());
    let server = Server::new(pipe_reader, output, socket).serve(service);
    tokio::pin!(reader);
    tokio::pin!(server);
    tokio::select! {
        () = &mut server => {}
        () = &mut reader => {
            // The input ended or the client sent `exit`. The service finishes the requests in
            // flight, but it also waits for answers to its own pending requests (such as a
            // `client/registerCapability` the client never answered): do not wait forever.
            if tokio::time::timeout(EXIT_GRACE, server).await.is_err() {
                tracing::warn!("stopping with requests still pending");
            }
        }
    }
    ServeOutcome {
        shutdown_requested: session.shutdown_requested.load(Ordering::SeqCst),
    }
}
