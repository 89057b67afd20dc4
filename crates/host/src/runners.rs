//! Running host objects as steps: the one place that knows how an `Agent`, a `Tool` or a
//! `Workflow` turns an input into an output, so `workflow` can compose any of them without
//! knowing the others.
//!
//! Each module registers a runner for the object type it owns when its module is built; the
//! workflow module looks runners up by type name.

use std::collections::HashMap;
use std::sync::{Arc, PoisonError, RwLock};

use futures::future::BoxFuture;
use llmspell_bridge::{HostError, Object, Value};

/// Runs a host object as a step: the object, its input; the future resolves to its output.
pub type Runner =
    Arc<dyn Fn(Object, Value) -> BoxFuture<'static, Result<Value, HostError>> + Send + Sync>;

/// The runners of one spell's host objects, by object type name. Cheap to clone (shared).
#[derive(Clone, Default)]
pub struct Runners(Arc<RwLock<HashMap<&'static str, Runner>>>);

impl Runners {
    pub fn new() -> Runners {
        Runners::default()
    }

    /// Declares how objects of `type_name` run as a step (replacing any earlier runner).
    pub fn register(&self, type_name: &'static str, runner: Runner) {
        self.0.write().unwrap_or_else(PoisonError::into_inner).insert(type_name, runner);
    }

    /// The runner for objects of `type_name`, if that type can be a step.
    pub fn get(&self, type_name: &str) -> Option<Runner> {
        self.0.read().unwrap_or_else(PoisonError::into_inner).get(type_name).cloned()
    }

    /// Runs `object` with `input`, or fails with `invalid_argument` if its type cannot run.
    pub fn run(&self, object: Object, input: Value) -> BoxFuture<'static, Result<Value, HostError>> {
        match self.get(object.type_name()) {
            Some(runner) => runner(object, input),
            None => {
                let type_name = object.type_name();
                Box::pin(async move {
                    Err(HostError::invalid_argument(format!("a {type_name} cannot run as a step")))
                })
            }
        }
    }
}
