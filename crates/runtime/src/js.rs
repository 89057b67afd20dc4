//! The js engine. (Being written: see the engine helper's work.)

use llmspell_bridge::Value;

use crate::{Diagnostic, Spell, SpellEnv, SpellError};

pub(crate) fn run(_env: &SpellEnv) -> Result<Value, SpellError> {
    Err(SpellError::internal("the js engine is not built yet"))
}

pub(crate) fn check(_spell: &Spell) -> Vec<Diagnostic> {
    Vec::new()
}
