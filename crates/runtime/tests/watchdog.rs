//! The last line of defence for the wall-clock limit: native code that no engine hook can
//! interrupt (Lua's pattern matcher backtracking, here) is abandoned shortly after the
//! deadline, so the caller always gets its answer and the process stays usable.

mod common;

use std::time::Duration;

use llmspell_runtime::{EngineKind, Limits};

#[test]
fn a_spell_stuck_in_native_code_is_abandoned_after_its_deadline() {
    let limits = Limits { timeout: Some(Duration::from_millis(300)), ..Limits::default() };
    // Exponential backtracking inside one C call: no count hook runs until it returns.
    let code = "print('start')\nstring.find(string.rep('a', 60), string.rep('a*', 12) .. 'b')\nprint('never')\n";
    let (printed, result) = common::run_with(EngineKind::Lua, code, limits);
    let error = result.unwrap_err();
    assert_eq!(error.code, "timeout", "{error}");
    assert!(error.message.contains("abandoned"), "{error}");
    assert_eq!(printed, "start\n");
    // The process is healthy: the next spell runs normally.
    assert_eq!(common::output(EngineKind::Lua, "print(1 + 1)"), "2\n");
}
