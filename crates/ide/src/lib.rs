//! Editor features for spells, as plain data in editor terms.
//!
//! The language server (`llmspell-lsp`) converts requests into calls on [`Ide`] and converts the
//! answers back; nothing here knows LSP or JSON-RPC. The host API comes from the bridge's
//! [`Manifest`](llmspell_bridge::Manifest) (never from an engine), the spell from its parse tree
//! ([`llmspell_syntax`]), and the project from a [`ProjectConfig`] the caller reads from
//! `llmspell.toml`.
//!
//! Positions are zero-based lines and UTF-16 columns (what LSP clients send by default); every
//! feature works on broken code, because the file being typed always is.

mod api;
mod completion;
mod config;
mod context;
mod diagnostics;
mod document;
mod hover;
mod lens;
mod lexer;
mod line_index;
mod markup;
mod navigation;
mod nodes;
mod semantic;
mod signature;
mod spell_functions;
mod spell_items;

pub use api::{ApiIndex, Examples, FieldInfo, FunctionInfo, ModuleInfo, ParamInfo, TypeInfo};
pub use completion::{CompletionItem, CompletionKind};
pub use config::{ModelInfo, ProjectConfig};
pub use diagnostics::{DIAGNOSTIC_CODES, Diagnostic, Severity};
pub use document::Document;
pub use hover::Hover;
pub use lens::{CodeLens, DEBUG_SPELL_COMMAND, RUN_SPELL_COMMAND};
pub use line_index::{LineIndex, Position, Range};
pub use llmspell_syntax::Language;
pub use navigation::{DocumentSymbol, Highlight, HighlightKind, Location, SymbolKind};
pub use semantic::{SemanticToken, SemanticTokenKind};
pub use signature::{ParameterInformation, SignatureHelp, SignatureInformation};

use llmspell_bridge::Manifest;

/// The analysis of spells against one host API and one project configuration.
///
/// Cheap to share behind an `Arc`; every feature is a `&self` method taking the [`Document`].
#[derive(Debug)]
pub struct Ide {
    api: ApiIndex,
    host_api: llmspell_syntax::HostApi,
    config: ProjectConfig,
}

impl Ide {
    pub fn new(manifest: &Manifest, config: ProjectConfig) -> Ide {
        let api = ApiIndex::from_manifest(manifest);
        let host_api = api.host_api();
        Ide { api, host_api, config }
    }

    pub fn api(&self) -> &ApiIndex {
        &self.api
    }

    pub fn config(&self) -> &ProjectConfig {
        &self.config
    }

    /// Replaces the project configuration (after `llmspell.toml` changed).
    pub fn set_config(&mut self, config: ProjectConfig) {
        self.config = config;
    }

    /// The host API in the syntax crate's terms, for [`llmspell_syntax::analyze`].
    pub fn host_api(&self) -> &llmspell_syntax::HostApi {
        &self.host_api
    }

    /// Opens a document: parses it now, analyses it on first use.
    pub fn open(&self, language: Language, text: &str) -> Document {
        Document::new(language, text)
    }
}
