//! Lua engine: every limit ends the spell with its code, `pcall`/`xpcall`/coroutines cannot
//! swallow it, and the process stays healthy for the next spell.

mod common;

use std::sync::Arc;
use std::time::{Duration, Instant};

use common::{output, run_with, test_registry};
use llmspell_runtime::EngineKind::Lua;
use llmspell_runtime::{CancelToken, Limits, RunOptions, Spell, SpellError};

fn limits(timeout_ms: Option<u64>, memory: Option<usize>, instructions: Option<u64>) -> Limits {
    Limits {
        timeout: timeout_ms.map(Duration::from_millis),
        memory,
        max_instructions: instructions,
    }
}

fn fails_with(code: &str, limits: Limits) -> SpellError {
    let (_, result) = run_with(Lua, code, limits);
    let error = result.expect_err("the spell should be stopped");
    assert!(
        !error.message.contains("panicked"),
        "no panic leaks into messages: {error}"
    );
    error
}

/// The engine is healthy after a limit: a normal spell runs fine.
fn still_healthy() {
    assert_eq!(output(Lua, "print(test.add(1, 2))"), "3\n");
}

#[test]
fn an_infinite_loop_hits_the_timeout() {
    let started = Instant::now();
    let error = fails_with(
        "local n = 0\nwhile true do\n  n = n + 1\nend\n",
        limits(Some(200), None, None),
    );
    assert_eq!(error.code, "timeout");
    assert_eq!(error.message, "the spell ran past its time limit of 200ms");
    assert_eq!(error.file.as_deref(), Some("test.lua"));
    assert!(
        matches!(error.line, Some(2..=3)),
        "line of the loop: {:?}",
        error.line
    );
    assert!(started.elapsed() < Duration::from_secs(5));
    still_healthy();
}

#[test]
fn pcall_xpcall_and_coroutines_cannot_swallow_the_timeout() {
    let swallowers = [
        "while true do pcall(function() while true do end end) end",
        "while true do xpcall(function() while true do end end, function(e) return e end) end",
        "while true do coroutine.resume(coroutine.create(function() while true do end end)) end",
        "while true do pcall(coroutine.wrap(function() while true do end end)) end",
        // A handler that loops forever itself, or retries.
        "xpcall(function() while true do end end, function() while true do end end)",
        "local function retry() while true do end end\nwhile true do xpcall(retry, retry) end",
        // A to-be-closed variable that loops when the error unwinds it.
        "local guard <close> = setmetatable({}, { __close = function() while true do end end })\nwhile true do end",
    ];
    for code in swallowers {
        let error = fails_with(code, limits(Some(150), None, None));
        assert_eq!(error.code, "timeout", "{code}");
    }
    still_healthy();
}

#[test]
fn a_timeout_interrupts_a_blocking_host_call() {
    let started = Instant::now();
    let error = fails_with(
        "local ok = pcall(test.sleep, 10000)\nprint('swallowed', ok)\nwhile true do end\n",
        limits(Some(150), None, None),
    );
    assert_eq!(error.code, "timeout");
    assert_eq!(error.line, Some(1));
    assert!(started.elapsed() < Duration::from_secs(3));
    still_healthy();
}

#[test]
fn a_memory_bomb_hits_the_memory_limit() {
    let error = fails_with(
        "local t = {}\nwhile true do\n  t[#t + 1] = string.rep('x', 1024) .. #t\nend\n",
        limits(Some(30_000), Some(16 << 20), None),
    );
    assert_eq!(error.code, "memory_limit");
    assert_eq!(
        error.message,
        "the spell used more than its memory limit of 16MiB"
    );
    let error = fails_with(
        "local s = string.rep('x', 64 * 1024 * 1024)",
        limits(None, Some(16 << 20), None),
    );
    assert_eq!(error.code, "memory_limit");
    still_healthy();
}

#[test]
fn pcall_cannot_swallow_the_memory_limit() {
    let swallowers = [
        "while true do pcall(function() local t = {} while true do t[#t + 1] = {} end end) end",
        "local keep = {} while true do local ok = pcall(string.rep, 'x', 1 << 30) keep[#keep + 1] = ok end",
        "while true do xpcall(function() local s = string.rep('y', 1 << 30) end, function(e) return e end) end",
        "while true do coroutine.resume(coroutine.create(function() return string.rep('z', 1 << 30) end)) end",
    ];
    for code in swallowers {
        let error = fails_with(code, limits(Some(30_000), Some(16 << 20), None));
        assert_eq!(error.code, "memory_limit", "{code}");
    }
    still_healthy();
}

#[test]
fn a_tiny_memory_limit_fails_cleanly_at_start_up() {
    let error = fails_with("print('hi')", limits(None, Some(4 * 1024), None));
    assert_eq!(error.code, "memory_limit");
}

#[test]
fn collectgarbage_cannot_lift_the_memory_limit() {
    let error = fails_with(
        "collectgarbage('count')\nlocal ok = pcall(collectgarbage, 'stop')\nlocal t = {}\nwhile true do t[#t + 1] = {} end\n",
        limits(Some(30_000), Some(8 << 20), None),
    );
    assert_eq!(error.code, "memory_limit");
}

#[test]
fn unbounded_recursion_is_a_stack_overflow() {
    let error = fails_with(
        "local function down(n)\n  return 1 + down(n + 1)\nend\ndown(1)\n",
        limits(Some(30_000), None, None),
    );
    assert_eq!(error.code, "stack_overflow");
    assert_eq!(error.line, Some(2));
    assert_eq!(
        error.stack.first().map(|entry| entry.function.as_str()),
        Some("down")
    );
    assert_eq!(
        error.stack.last().map(|entry| entry.function.as_str()),
        Some("<main>")
    );
    assert!(error.stack.len() < 100, "a deep stack is abbreviated");
    still_healthy();
}

#[test]
fn recursion_through_host_callbacks_is_a_stack_overflow() {
    let error = fails_with(
        "local function again()\n  return test.call(again)\nend\nagain()\n",
        limits(Some(30_000), None, None),
    );
    assert_eq!(error.code, "stack_overflow");
    still_healthy();
}

#[test]
fn pcall_cannot_swallow_a_stack_overflow() {
    let swallowers = [
        "local function f() return 1 + f() end\nwhile true do pcall(f) end",
        "local function f() return 1 + f() end\nlocal ok, e = pcall(f)\nprint('survived', e)",
        "local function f() return 1 + f() end\nxpcall(f, function(e) return e end)\nprint('survived')",
        "local function g() return test.call(g) end\nprint(pcall(g))",
        "local function again() pcall(again) end\nwhile true do pcall(again) end",
        "local function f() return 1 + f() end\nprint(coroutine.resume(coroutine.create(f)))",
    ];
    for code in swallowers {
        let (printed, result) = run_with(Lua, code, limits(Some(30_000), None, None));
        let error = result.expect_err(code);
        assert_eq!(error.code, "stack_overflow", "{code}: {error}");
        assert_eq!(printed, "", "{code}");
    }
    still_healthy();
}

#[test]
fn the_instruction_budget_stops_a_busy_spell() {
    let error = fails_with(
        "local n = 0\nwhile true do n = n + 1 end\n",
        limits(None, None, Some(100_000)),
    );
    assert_eq!(error.code, "instruction_limit");
    assert_eq!(
        error.message,
        "the spell ran past its instruction limit of 100000"
    );
    let error = fails_with(
        "while true do pcall(function() while true do end end) end",
        limits(None, None, Some(50_000)),
    );
    assert_eq!(error.code, "instruction_limit");
    // A small spell runs within a small budget.
    let (printed, result) = run_with(Lua, "print(test.add(1, 2))", limits(None, None, Some(500)));
    assert_eq!((printed.as_str(), result.is_ok()), ("3\n", true));
    still_healthy();
}

#[test]
fn cancellation_terminates_a_running_spell() {
    let (registry, _) = test_registry();
    let cancel = CancelToken::new();
    let canceller = {
        let cancel = cancel.clone();
        std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(100));
            cancel.cancel();
        })
    };
    let spell = Spell::from_source(
        "test.lua",
        "while true do pcall(function() while true do end end) end",
        Lua,
    );
    let started = Instant::now();
    let options = RunOptions {
        cancel,
        limits: limits(None, None, None),
        ..RunOptions::default()
    };
    let error = llmspell_runtime::run(spell, Arc::new(registry), options).unwrap_err();
    canceller.join().unwrap();
    assert_eq!(error.code, "terminated");
    assert!(started.elapsed() < Duration::from_secs(5));
}

#[test]
fn cancellation_interrupts_a_blocking_host_call() {
    let (registry, _) = test_registry();
    let cancel = CancelToken::new();
    let canceller = {
        let cancel = cancel.clone();
        std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(100));
            cancel.cancel();
        })
    };
    let spell = Spell::from_source(
        "test.lua",
        "print(pcall(test.sleep, 10000))\nwhile true do end",
        Lua,
    );
    let options = RunOptions {
        cancel,
        ..RunOptions::default()
    };
    let error = llmspell_runtime::run(spell, Arc::new(registry), options).unwrap_err();
    canceller.join().unwrap();
    assert_eq!(error.code, "terminated");
    assert_eq!(error.line, Some(1));
}

#[test]
fn many_spells_in_a_row_stay_healthy() {
    for round in 0..20 {
        let code = format!("local t = {{}} for i = 1, 1000 do t[i] = i end print(#t + {round})");
        assert_eq!(output(Lua, &code), format!("{}\n", 1000 + round));
    }
}

#[test]
fn host_code_cannot_swallow_a_limit_a_callback_hit() {
    use llmspell_bridge::{Function, Module, Registry, Type, Value};

    let mut registry = Registry::new();
    registry.add_module(
        Module::new("host", "Ignores failures.").function(
            Function::new("swallow")
                .param("f", Type::Fn, "")
                .sync(|args| {
                    let _ = args.get(0).as_callable().unwrap().call(Vec::new());
                    Ok(Value::Nil)
                }),
        ),
    );
    let registry = Arc::new(registry);
    for code in [
        "host.swallow(function() while true do end end)\nwhile true do end",
        "host.swallow(function() while true do end end)",
        "host.swallow(function() while true do end end)\nreturn 'finished'",
    ] {
        let spell = Spell::from_source("test.lua", code, Lua);
        let options = RunOptions {
            limits: limits(Some(100), None, None),
            ..RunOptions::default()
        };
        let error = llmspell_runtime::run(spell, registry.clone(), options).unwrap_err();
        assert_eq!(error.code, "timeout", "{code}");
    }
}
