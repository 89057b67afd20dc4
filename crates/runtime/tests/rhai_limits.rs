//! Rhai: every limit ends the spell, `try`/`catch` cannot swallow it, the process stays
//! healthy.

mod common;

use std::sync::Arc;
use std::time::{Duration, Instant};

use llmspell_runtime::{CancelToken, EngineKind, Limits, RunOptions, Spell, SpellError};

const FAST: Duration = Duration::from_millis(300);

fn limits(timeout: Duration) -> Limits {
    Limits { timeout: Some(timeout), ..Limits::default() }
}

/// Runs `code` under `limits`; it must fail with `code` without printing anything (every
/// spell here prints "caught" if its `catch` ever runs).
fn ends_with(code: &str, limits: Limits, expected: &str) -> SpellError {
    let (printed, result) = common::run_with(EngineKind::Rhai, code, limits);
    let error = result.expect_err("the spell must fail");
    assert_eq!(error.code, expected, "{error}\nspell:\n{code}");
    assert_eq!(printed, "", "a catch ran:\n{code}");
    error
}

#[test]
fn timeout_stops_an_infinite_loop() {
    let started = Instant::now();
    let error = ends_with("let x = 0;\nloop { x += 1; }", limits(FAST), "timeout");
    assert!(started.elapsed() < Duration::from_secs(3), "{:?}", started.elapsed());
    assert_eq!(error.message, "the spell ran past its time limit of 300ms");
    assert_eq!(error.line, Some(2));
}

#[test]
fn timeout_cannot_be_caught() {
    ends_with("loop { try { loop { } } catch (e) { print(\"caught\") } }", limits(FAST), "timeout");
    ends_with(
        "fn spin() { loop {} } try { spin() } catch (e) { print(\"caught\") }",
        limits(FAST),
        "timeout",
    );
}

#[test]
fn timeout_stops_a_blocked_host_call() {
    let started = Instant::now();
    ends_with(
        "try { test.sleep(10000) } catch (e) { print(\"caught\") } print(\"after\")",
        limits(FAST),
        "timeout",
    );
    assert!(started.elapsed() < Duration::from_secs(3), "{:?}", started.elapsed());
}

#[test]
fn timeout_inside_a_callback_ends_the_spell() {
    ends_with("try { test.call(|| { loop {} }) } catch (e) { print(\"caught\") }", limits(FAST), "timeout");
    ends_with(
        "try { test.call_later(|x| { loop {} }, 1) } catch (e) { print(\"caught\") } print(\"after\")",
        limits(FAST),
        "timeout",
    );
}

#[test]
fn memory_bombs_hit_the_memory_limit() {
    let small = Limits { memory: Some(16 << 20), ..limits(Duration::from_secs(20)) };
    for bomb in [
        r#"let s = "x"; loop { s += s; }"#,
        r#"let a = [1]; loop { a += a; }"#,
        r#"let hoard = []; let i = 0; loop { i += 1; hoard.push([i, i * 2, "item " + i]); }"#,
        r#"let a = ["a longer string in the array"]; loop { a += a; }"#,
        r#"let m = #{k: "v"}; let i = 0; loop { m = #{a: m, b: m}; }"#,
        r#"let m = #{}; let i = 0; loop { m[`k${i}`] = i; i += 1; }"#,
        r#"let all = []; loop { all.push(blob(65536)); }"#,
        r#"let s = "x".pad(100000000, 'x');"#,
        r#"let b = blob(100000000);"#,
    ] {
        let code = format!("try {{ {bomb} }} catch (e) {{ print(\"caught\") }}");
        let error = ends_with(&code, small, "memory_limit");
        assert!(error.message.starts_with("the spell used more than its memory limit of 16MiB"), "{error}");
    }
}

#[test]
fn a_runaway_container_fails_fast() {
    // Memory is counted by the allocator, not by re-measuring containers: growing one is
    // O(n), so the limit is reached in well under a second.
    let started = Instant::now();
    let limits = Limits { memory: Some(64 << 20), ..limits(Duration::from_secs(25)) };
    ends_with("let hoard = []; loop { hoard.push([1, 2, \"item\"]); }", limits, "memory_limit");
    assert!(started.elapsed() < Duration::from_secs(10), "{:?}", started.elapsed());
}

#[test]
fn large_containers_within_the_limit_are_cheap() {
    // 300,000 integers and 100,000 strings are far below the default 256 MiB.
    let started = Instant::now();
    let (printed, result) = common::run_with(
        EngineKind::Rhai,
        "let xs = []; for i in 1..=300000 { xs.push(i); } print(xs.len(), xs[299999]);\n\
         let m = #{}; let ss = []; for i in 0..100000 { ss.push(`item ${i}`); m[`k${i}`] = i; } print(ss.len(), m.len());",
        Limits::default(),
    );
    assert_eq!((printed.as_str(), result.map_err(|e| e.to_string())), ("300000 300000\n100000 100000\n", Ok(llmspell_bridge::Value::Nil)));
    assert!(started.elapsed() < Duration::from_secs(10), "{:?}", started.elapsed());
}

#[test]
fn memory_given_back_is_not_counted() {
    // Five 8 MiB blobs one after the other fit in 16 MiB: only what the spell holds counts.
    let small = Limits { memory: Some(16 << 20), ..limits(Duration::from_secs(20)) };
    let (printed, result) = common::run_with(
        EngineKind::Rhai,
        "for i in 0..5 { let b = blob(8388608); let a = []; a.pad(200000, i); } print(\"done\")",
        small,
    );
    assert_eq!((printed.as_str(), result.is_ok()), ("done\n", true));
}

#[test]
fn one_huge_allocation_is_refused_before_it_happens() {
    // Each of these would ask the system for terabytes in a single operation.
    let small = Limits { memory: Some(16 << 20), ..limits(Duration::from_secs(20)) };
    for bomb in [
        "let b = blob(1000000000000);",
        "let b = blob(1000000000000, 7);",
        "let b = blob(); b.pad(1000000000000, 1);",
        "let s = \"x\"; s.pad(1000000000000, 'x');",
        "let s = \"x\"; s.pad(1000000000000, \"ab\");",
        "let a = []; a.pad(1000000000000, 0);",
        "let a = []; let item = blob(1000); a.pad(100000, item);",
        "let a = []; let item = [[1, 2, 3], #{k: [4, 5]}]; a.pad(1000000, item);",
    ] {
        let code = format!("try {{ {bomb} }} catch (e) {{ print(\"caught\") }}");
        let started = Instant::now();
        let error = ends_with(&code, small, "memory_limit");
        assert_eq!(error.message, "the spell used more than its memory limit of 16MiB", "{bomb}");
        assert!(started.elapsed() < Duration::from_secs(2), "{bomb}: {:?}", started.elapsed());
    }
    // The replacements behave like the standard functions.
    let (printed, _) = common::run(
        EngineKind::Rhai,
        "let s = \"hé\"; s.pad(5, '!'); print(s); s.pad(3, '?'); print(s);\n\
         let t = \"a\"; t.pad(6, \"xyz\"); print(t); t.pad(-1, \"q\"); print(t);\n\
         let a = [1]; a.pad(3, 0); print(a); a.pad(-2, 9); print(a);\n\
         let b = blob(3, 0x142); print(b.len(), b[0]); b.pad(5, 1); print(b.len(), b[4]); print(blob(-1).len());",
    );
    assert_eq!(printed, "hé!!!\nhé!!!\naxyzxy\naxyzxy\n[1,0,0]\n[1,0,0]\n3 66\n5 1\n0\n");
}

#[test]
fn limits_reported_by_the_host_cannot_be_caught() {
    for code in ["stack_overflow", "memory_limit", "instruction_limit"] {
        let spell = format!("try {{ test.fail(\"{code}\", \"from the host\") }} catch (e) {{ print(\"caught\") }}");
        let error = ends_with(&spell, Limits::default(), code);
        assert_eq!(error.message, "from the host");
    }
    // A host call's own timeout (an HTTP request, say) is an ordinary error.
    let (printed, _) = common::run(EngineKind::Rhai, "try { test.fail(\"timeout\", \"slow\") } catch (e) { print(e.code) }");
    assert_eq!(printed, "timeout\n");
}

#[test]
fn instruction_budget_ends_the_spell() {
    let budget = Limits { max_instructions: Some(10_000), ..Limits::default() };
    let error = ends_with("let i = 0; loop { i += 1; }", budget, "instruction_limit");
    assert_eq!(error.message, "the spell ran past its instruction limit of 10000");
    ends_with(
        "loop { try { let i = 0; loop { i += 1; } } catch (e) { print(\"caught\") } }",
        budget,
        "instruction_limit",
    );
    ends_with(
        "try { test.call(|| { let i = 0; loop { i += 1; } }) } catch (e) { print(\"caught\") }",
        budget,
        "instruction_limit",
    );
    let (printed, result) =
        common::run_with(EngineKind::Rhai, "let s = 0; for i in 0..100 { s += i; } print(s)", budget);
    assert_eq!((printed.as_str(), result.is_ok()), ("4950\n", true));
}

#[test]
fn unbounded_recursion_is_a_stack_overflow() {
    let error = ends_with("fn r(n) { r(n + 1) }\nr(0)", Limits::default(), "stack_overflow");
    assert_eq!(error.message, "stack overflow: more than 256 nested calls");
    ends_with(
        "fn r(n) { r(n + 1) } try { r(0) } catch (e) { print(\"caught\") }",
        Limits::default(),
        "stack_overflow",
    );
    ends_with(
        "fn r(n) { try { r(n + 1) } catch (e) { print(\"caught\") } } r(0)",
        Limits::default(),
        "stack_overflow",
    );
    ends_with(
        "let f = |g| g.call(g); try { f.call(f) } catch (e) { print(\"caught\") }",
        Limits::default(),
        "stack_overflow",
    );
}

#[test]
fn recursion_through_the_host_is_a_stack_overflow() {
    ends_with(
        "fn r(n) { test.call(r, n + 1) } try { r(0) } catch (e) { print(\"caught\") }",
        Limits::default(),
        "stack_overflow",
    );
    ends_with(
        "fn r(n) { try { test.call(r, n + 1) } catch (e) { print(\"caught\") } } r(0)",
        Limits::default(),
        "stack_overflow",
    );
}

#[test]
fn recursion_within_the_limit_works() {
    let (printed, result) =
        common::run(EngineKind::Rhai, "fn r(n) { if n == 0 { 0 } else { 1 + r(n - 1) } } print(r(250))");
    assert_eq!((printed.as_str(), result.is_ok()), ("250\n", true));
}

#[test]
fn cancellation_terminates_the_spell() {
    let (registry, output) = common::test_registry();
    let cancel = CancelToken::new();
    let canceller = cancel.clone();
    std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(100));
        canceller.cancel();
    });
    let spell =
        Spell::from_source("test.rhai", "try { loop { } } catch (e) { print(\"caught\") }", EngineKind::Rhai);
    let started = Instant::now();
    let result =
        llmspell_runtime::run(spell, Arc::new(registry), RunOptions { cancel, ..RunOptions::default() });
    assert_eq!(result.unwrap_err().code, "terminated");
    assert!(started.elapsed() < Duration::from_secs(3));
    assert_eq!(output.lock().unwrap().as_str(), "");
}

#[test]
fn cancellation_interrupts_a_blocked_host_call() {
    let (registry, _) = common::test_registry();
    let cancel = CancelToken::new();
    let canceller = cancel.clone();
    std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(100));
        canceller.cancel();
    });
    let spell = Spell::from_source(
        "test.rhai",
        "try { test.sleep(10000) } catch (e) { print(\"caught\") }",
        EngineKind::Rhai,
    );
    let started = Instant::now();
    let result =
        llmspell_runtime::run(spell, Arc::new(registry), RunOptions { cancel, ..RunOptions::default() });
    assert_eq!(result.unwrap_err().code, "terminated");
    assert!(started.elapsed() < Duration::from_secs(3));
}

#[test]
fn the_process_stays_healthy_after_limits() {
    ends_with("loop {}", limits(Duration::from_millis(50)), "timeout");
    ends_with("fn r() { r() } r()", Limits::default(), "stack_overflow");
    assert_eq!(common::output(EngineKind::Rhai, "print(test.add(1, 2))"), "3\n");
}
