//! Test helpers: a host for a spell in a fresh temporary workspace, and calls through the
//! registry exactly as an engine makes them (`Function::invoke`).

use std::path::Path;
use std::sync::Arc;

use llmspell_bridge::{HostError, Invocation, Map, Registry, Value};

use crate::{CapturedOutput, HostContext, SpellInfo, registry};

/// A spell `test.lua` in a temporary workspace, printing into a buffer.
pub(crate) struct TestHost {
    pub registry: Registry,
    pub context: HostContext,
    pub output: Arc<CapturedOutput>,
    /// Keeps the workspace alive; shared with [`TestHost::another_spell`].
    _workspace: Arc<tempfile::TempDir>,
}

impl TestHost {
    pub fn new() -> TestHost {
        TestHost::with_params(Map::new())
    }

    pub fn with_params(params: Map) -> TestHost {
        let workspace = Arc::new(tempfile::tempdir().unwrap());
        TestHost::in_workspace(workspace, params)
    }

    fn in_workspace(workspace: Arc<tempfile::TempDir>, params: Map) -> TestHost {
        let output = CapturedOutput::new();
        let spell = SpellInfo {
            name: "test".to_owned(),
            path: "test.lua".to_owned(),
            engine: "lua".to_owned(),
        };
        let context = HostContext::new(workspace.path(), spell, params).with_output(output.clone());
        TestHost {
            registry: registry(context.clone()),
            context,
            output,
            _workspace: workspace,
        }
    }

    /// A second spell in the same workspace, with its own context and state connection.
    pub fn another_spell(&self) -> TestHost {
        TestHost::in_workspace(Arc::clone(&self._workspace), Map::new())
    }

    pub fn workspace(&self) -> &Path {
        self.context.workspace()
    }

    /// Calls `module.function(args...)` the way an engine does.
    pub fn call(&self, module: &str, function: &str, args: Vec<Value>) -> Result<Value, HostError> {
        let module = self
            .registry
            .module(module)
            .unwrap_or_else(|| panic!("no module {module}"));
        let found = module
            .find(function)
            .unwrap_or_else(|| panic!("no function {function}"));
        ready(found.invoke(&module.qualified(found.name), None, args))
    }

    /// Calls `object:method(args...)` on a `State` (or any object type) receiver.
    pub fn method(&self, this: &Value, method: &str, args: Vec<Value>) -> Result<Value, HostError> {
        let type_name = match this {
            Value::Object(object) => object.type_name(),
            _ => "State",
        };
        let object_type = self.registry.object_type(type_name).unwrap();
        let found = object_type
            .find(method)
            .unwrap_or_else(|| panic!("no method {method}"));
        let qualified = format!("{}.{}", object_type.name, found.name);
        ready(found.invoke(&qualified, Some(this.clone()), args))
    }
}

fn ready(invocation: Invocation) -> Result<Value, HostError> {
    match invocation {
        Invocation::Ready(result) => result,
        Invocation::Pending(_) => panic!("every function of this crate is synchronous"),
    }
}
