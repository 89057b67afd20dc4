//! The LSP methods. Each request handler converts its parameters ([`from_proto`]), makes one
//! analysis call through [`Session::analyse`], and converts the answer ([`to_proto`]). Document
//! notifications were already applied by the transport, in arrival order; their handlers here
//! have nothing left to do.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use tower_lsp_server::jsonrpc::{self, Result};
use tower_lsp_server::lsp_types::{self as lsp, Uri};
use tower_lsp_server::{Client, LanguageServer};

use crate::session::{AnalysisError, Session, config_root};
use crate::{from_proto, to_proto};

/// The language server of one client session.
pub struct SpellServer {
    session: Arc<Session>,
    client: Client,
    /// Whether the client lets the server register file watchers.
    watched_files_registration: AtomicBool,
}

impl SpellServer {
    pub fn new(session: Arc<Session>, client: Client) -> SpellServer {
        session.start_diagnostics_task(client.clone());
        SpellServer {
            session,
            client,
            watched_files_registration: AtomicBool::new(false),
        }
    }

    /// Answers the stand-in the transport sends for input that is not JSON.
    pub async fn parse_error(&self) -> Result<()> {
        Err(jsonrpc::Error::parse_error())
    }

    /// Answers the stand-in the transport sends for JSON that is not a JSON-RPC message.
    pub async fn invalid_request(&self) -> Result<()> {
        Err(jsonrpc::Error::invalid_request())
    }

    /// `llmspell/documentText`: the server's copy of a document and its version, for tests and
    /// bug reports (is the server's text the editor's?).
    pub async fn document_text(
        &self,
        params: lsp::TextDocumentIdentifier,
    ) -> Result<serde_json::Value> {
        let Some(open) = self.session.documents.get(&params.uri) else {
            return Err(jsonrpc::Error::invalid_params(format!(
                "{} is not open",
                params.uri.as_str()
            )));
        };
        let open = crate::documents::lock(&open);
        Ok(serde_json::json!({ "text": open.content.text(), "version": open.version }))
    }

    /// Answers the stand-in the transport sends for a request whose method starts with `$/`.
    pub async fn method_not_found(&self) -> Result<()> {
        Err(jsonrpc::Error::method_not_found())
    }

    /// Runs one analysis call for a request; a panic in it becomes an internal-error answer.
    fn answer<T>(
        &self,
        method: &str,
        uri: &Uri,
        call: impl FnOnce(&llmspell_ide::Ide, &llmspell_ide::Document) -> T,
    ) -> Result<Option<T>> {
        self.session
            .analyse(uri, call)
            .map_err(|AnalysisError::Panicked(message)| {
                tracing::error!("{method} on {} panicked: {message}", uri.as_str());
                jsonrpc::Error {
                    code: jsonrpc::ErrorCode::InternalError,
                    message: format!("llmspell: internal error in {method}: {message}").into(),
                    data: None,
                }
            })
    }
}

impl LanguageServer for SpellServer {
    async fn initialize(&self, params: lsp::InitializeParams) -> Result<lsp::InitializeResult> {
        let capabilities = &params.capabilities;
        let snippets = capabilities
            .text_document
            .as_ref()
            .and_then(|text| text.completion.as_ref())
            .and_then(|completion| completion.completion_item.as_ref())
            .and_then(|item| item.snippet_support)
            .unwrap_or(false);
        self.session
            .snippet_support
            .store(snippets, Ordering::SeqCst);
        let watchers = capabilities
            .workspace
            .as_ref()
            .and_then(|workspace| workspace.did_change_watched_files.as_ref())
            .and_then(|watched| watched.dynamic_registration)
            .unwrap_or(false);
        self.watched_files_registration
            .store(watchers, Ordering::SeqCst);
        Ok(lsp::InitializeResult {
            capabilities: server_capabilities(),
            server_info: Some(lsp::ServerInfo {
                name: "llmspell".to_owned(),
                version: Some(env!("CARGO_PKG_VERSION").to_owned()),
            }),
        })
    }

    async fn initialized(&self, _: lsp::InitializedParams) {
        if !self.watched_files_registration.load(Ordering::SeqCst) {
            return;
        }
        let options = lsp::DidChangeWatchedFilesRegistrationOptions {
            watchers: vec![lsp::FileSystemWatcher {
                glob_pattern: lsp::GlobPattern::String(format!(
                    "**/{}",
                    crate::documents::CONFIG_FILE
                )),
                kind: None,
            }],
        };
        let registration = lsp::Registration {
            id: "llmspell-config-watcher".to_owned(),
            method: "workspace/didChangeWatchedFiles".to_owned(),
            register_options: serde_json::to_value(options).ok(),
        };
        if let Err(error) = self.client.register_capability(vec![registration]).await {
            tracing::warn!("the client refused the llmspell.toml watcher: {error}");
        }
    }

    async fn shutdown(&self) -> Result<()> {
        Ok(())
    }

    // Applied by the transport in arrival order (see `transport`).
    async fn did_open(&self, _: lsp::DidOpenTextDocumentParams) {}
    async fn did_change(&self, _: lsp::DidChangeTextDocumentParams) {}
    async fn did_save(&self, _: lsp::DidSaveTextDocumentParams) {}
    async fn did_close(&self, _: lsp::DidCloseTextDocumentParams) {}

    async fn did_change_watched_files(&self, params: lsp::DidChangeWatchedFilesParams) {
        for change in params.changes {
            if let Some(root) = config_root(&change.uri) {
                self.session.reload_config(&root, None);
            }
        }
    }

    async fn completion(
        &self,
        params: lsp::CompletionParams,
    ) -> Result<Option<lsp::CompletionResponse>> {
        let position = params.text_document_position;
        let snippets = self.session.snippet_support.load(Ordering::SeqCst);
        let items = self.answer(
            "completion",
            &position.text_document.uri,
            |ide, document| ide.completions(document, from_proto::position(position.position)),
        )?;
        Ok(items.map(|items| {
            lsp::CompletionResponse::Array(to_proto::completion_items(items, snippets))
        }))
    }

    async fn hover(&self, params: lsp::HoverParams) -> Result<Option<lsp::Hover>> {
        let position = params.text_document_position_params;
        let hover = self.answer("hover", &position.text_document.uri, |ide, document| {
            ide.hover(document, from_proto::position(position.position))
        })?;
        Ok(hover.flatten().map(to_proto::hover))
    }

    async fn signature_help(
        &self,
        params: lsp::SignatureHelpParams,
    ) -> Result<Option<lsp::SignatureHelp>> {
        let position = params.text_document_position_params;
        let help = self.answer(
            "signatureHelp",
            &position.text_document.uri,
            |ide, document| ide.signature_help(document, from_proto::position(position.position)),
        )?;
        Ok(help.flatten().map(to_proto::signature_help))
    }

    async fn goto_definition(
        &self,
        params: lsp::GotoDefinitionParams,
    ) -> Result<Option<lsp::GotoDefinitionResponse>> {
        let position = params.text_document_position_params;
        let uri = &position.text_document.uri;
        let location = self.answer("definition", uri, |ide, document| {
            ide.definition(document, from_proto::position(position.position))
        })?;
        Ok(location
            .flatten()
            .map(|location| lsp::GotoDefinitionResponse::Scalar(to_proto::location(uri, location))))
    }

    async fn references(&self, params: lsp::ReferenceParams) -> Result<Option<Vec<lsp::Location>>> {
        let position = params.text_document_position;
        let uri = &position.text_document.uri;
        let include_declaration = params.context.include_declaration;
        let locations = self.answer("references", uri, |ide, document| {
            ide.references(
                document,
                from_proto::position(position.position),
                include_declaration,
            )
        })?;
        Ok(locations.map(|locations| {
            locations
                .into_iter()
                .map(|location| to_proto::location(uri, location))
                .collect()
        }))
    }

    async fn document_highlight(
        &self,
        params: lsp::DocumentHighlightParams,
    ) -> Result<Option<Vec<lsp::DocumentHighlight>>> {
        let position = params.text_document_position_params;
        let highlights = self.answer(
            "documentHighlight",
            &position.text_document.uri,
            |ide, document| ide.highlights(document, from_proto::position(position.position)),
        )?;
        Ok(highlights.map(to_proto::highlights))
    }

    async fn document_symbol(
        &self,
        params: lsp::DocumentSymbolParams,
    ) -> Result<Option<lsp::DocumentSymbolResponse>> {
        let symbols = self.answer(
            "documentSymbol",
            &params.text_document.uri,
            |ide, document| ide.document_symbols(document),
        )?;
        Ok(symbols.map(|symbols| {
            lsp::DocumentSymbolResponse::Nested(to_proto::document_symbols(symbols))
        }))
    }

    async fn semantic_tokens_full(
        &self,
        params: lsp::SemanticTokensParams,
    ) -> Result<Option<lsp::SemanticTokensResult>> {
        let tokens = self.answer(
            "semanticTokens",
            &params.text_document.uri,
            |ide, document| ide.semantic_tokens(document),
        )?;
        Ok(tokens
            .map(|tokens| lsp::SemanticTokensResult::Tokens(to_proto::semantic_tokens(tokens))))
    }

    async fn code_lens(&self, params: lsp::CodeLensParams) -> Result<Option<Vec<lsp::CodeLens>>> {
        let uri = &params.text_document.uri;
        let lenses = self.answer("codeLens", uri, |ide, document| ide.code_lenses(document))?;
        Ok(lenses.map(|lenses| to_proto::code_lenses(uri, lenses)))
    }
}

/// What the server offers. Positions are UTF-16, the encoding every client supports.
pub fn server_capabilities() -> lsp::ServerCapabilities {
    let characters = |list: &[&str]| {
        list.iter()
            .map(|text| (*text).to_owned())
            .collect::<Vec<_>>()
    };
    lsp::ServerCapabilities {
        position_encoding: Some(lsp::PositionEncodingKind::UTF16),
        text_document_sync: Some(lsp::TextDocumentSyncCapability::Options(
            lsp::TextDocumentSyncOptions {
                open_close: Some(true),
                change: Some(lsp::TextDocumentSyncKind::INCREMENTAL),
                save: Some(lsp::TextDocumentSyncSaveOptions::SaveOptions(
                    lsp::SaveOptions {
                        include_text: Some(true),
                    },
                )),
                ..lsp::TextDocumentSyncOptions::default()
            },
        )),
        completion_provider: Some(lsp::CompletionOptions {
            trigger_characters: Some(characters(&[".", ":", "\"", "'", "{", ","])),
            resolve_provider: Some(false),
            ..lsp::CompletionOptions::default()
        }),
        hover_provider: Some(lsp::HoverProviderCapability::Simple(true)),
        signature_help_provider: Some(lsp::SignatureHelpOptions {
            trigger_characters: Some(characters(&["(", ","])),
            retrigger_characters: Some(characters(&[","])),
            ..lsp::SignatureHelpOptions::default()
        }),
        definition_provider: Some(lsp::OneOf::Left(true)),
        references_provider: Some(lsp::OneOf::Left(true)),
        document_highlight_provider: Some(lsp::OneOf::Left(true)),
        document_symbol_provider: Some(lsp::OneOf::Left(true)),
        semantic_tokens_provider: Some(
            lsp::SemanticTokensServerCapabilities::SemanticTokensOptions(
                lsp::SemanticTokensOptions {
                    legend: lsp::SemanticTokensLegend {
                        token_types: to_proto::SEMANTIC_TOKEN_TYPES.to_vec(),
                        token_modifiers: to_proto::SEMANTIC_TOKEN_MODIFIERS.to_vec(),
                    },
                    full: Some(lsp::SemanticTokensFullOptions::Bool(true)),
                    range: None,
                    ..lsp::SemanticTokensOptions::default()
                },
            ),
        ),
        code_lens_provider: Some(lsp::CodeLensOptions {
            resolve_provider: Some(false),
        }),
        ..lsp::ServerCapabilities::default()
    }
}
