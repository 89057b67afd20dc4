//! llmspell-bridge: the value model and the host-API descriptors every engine and tool shares.
//!
//! A host function is declared once ([`Function`]) with its parameters, types, defaults, docs
//! and examples. Engines bind it from that declaration alone; argument validation, the manifest
//! (`llmspell api --json`), the API reference and the editor tooling are derived from it.
//!
//! Architecture invariant: this crate knows no script engine and does no I/O.

pub mod error;
pub mod module;
pub mod record;
pub mod registry;
pub mod stubs;
pub mod types;
pub mod value;

pub use error::{HostError, codes};
pub use module::{
    Args, Examples, Field, Function, FunctionBuilder, Implementation, Invocation, Module,
    ModuleKind, ObjectType, Param,
};
pub use record::{Mismatch, Problem, Record, RecordField};
pub use registry::{BuiltinTool, Manifest, Registry, map_of};
pub use types::Type;
pub use value::{Callable, HostObject, Map, Object, RustFunction, ScriptFunction, Value, format_float};
