//! JavaScript engine: every limit ends the spell with its code, no `try`/`catch`/`finally`
//! can swallow it, and the process stays healthy for the next spell.

mod common;

use std::sync::Arc;
use std::time::{Duration, Instant};

use common::{output, run_with, test_registry};
use llmspell_runtime::EngineKind::Js;
use llmspell_runtime::{CancelToken, Limits, RunOptions, Spell, SpellError};

fn limits() -> Limits {
    Limits { timeout: Some(Duration::from_secs(20)), memory: Some(64 << 20), max_instructions: None }
}

/// Runs `code`; it must fail. Returns the error and what it printed.
fn failure(code: &str, limits: Limits) -> (SpellError, String) {
    let (printed, result) = run_with(Js, code, limits);
    let error = result.expect_err(&format!("the spell should fail; it printed:\n{printed}"));
    (error, printed)
}

/// The next spell still runs normally.
fn still_healthy() {
    assert_eq!(output(Js, "print(test.add(1, 2))"), "3\n");
}

#[test]
fn an_infinite_loop_times_out_and_cannot_be_caught() {
    let quick = Limits { timeout: Some(Duration::from_millis(200)), ..limits() };
    let start = Instant::now();
    let (error, printed) = failure(
        "let n = 0;\nfunction spin() {\n  while (true) { n++ }\n}\ntry {\n  spin();\n} catch (e) {\n  print('caught', e);\n} finally {\n  print('finally');\n}\nprint('after');\n",
        quick,
    );
    assert_eq!(error.code, "timeout");
    assert_eq!(error.message, "the spell ran past its time limit of 200ms");
    assert_eq!(error.line, Some(3));
    assert_eq!(error.stack.iter().map(|entry| entry.function.as_str()).collect::<Vec<_>>(), vec!["spin", "<main>"]);
    assert_eq!(printed, "");
    assert!(start.elapsed() < Duration::from_secs(5), "took {:?}", start.elapsed());
    still_healthy();
}

#[test]
fn a_timeout_also_ends_an_await_and_a_callback_loop() {
    let quick = Limits { timeout: Some(Duration::from_millis(200)), ..limits() };
    let start = Instant::now();
    let (error, _) = failure("try { await test.sleep(60000) } catch (e) { print('caught') }", quick);
    assert_eq!(error.code, "timeout");
    assert!(start.elapsed() < Duration::from_secs(5), "took {:?}", start.elapsed());

    let (error, printed) = failure(
        "try { test.call(() => { while (true) {} }) } catch (e) { print('caught', e.code) }\nprint('after')",
        quick,
    );
    assert_eq!((error.code.as_str(), printed.as_str()), ("timeout", ""));

    let (error, printed) =
        failure("try { await test.call_later(() => { for (;;) {} }, 1) } catch (e) { print('caught', e.code) }", quick);
    assert_eq!((error.code.as_str(), printed.as_str()), ("timeout", ""));
}

#[test]
fn a_memory_bomb_hits_the_memory_limit_and_cannot_be_caught() {
    let small = Limits { memory: Some(16 << 20), ..limits() };
    let (error, printed) = failure(
        "const keep = [];\ntry {\n  while (true) keep.push('x'.repeat(1000) + keep.length);\n} catch (e) {\n  print('caught', e);\n}\nprint('after');\n",
        small,
    );
    assert_eq!(error.code, "memory_limit");
    assert_eq!(error.message, "the spell used more than its memory limit of 16MiB");
    assert_eq!(printed, "");

    // Freeing the memory in the handler does not help either.
    let (error, printed) = failure(
        "function bomb() { let a = []; for (;;) a.push(new Array(1000).fill(1)) }\ntry { bomb() } catch (e) { }\nlet n = 0; for (let i = 0; i < 1e6; i++) n += i;\nprint('still running', n);\n",
        small,
    );
    assert_eq!((error.code.as_str(), printed.as_str()), ("memory_limit", ""));

    let (error, _) = failure("const keep = [];\nfor (let n = 1; ; n *= 2) keep.push('x'.repeat(n));", small);
    assert_eq!(error.code, "memory_limit");
    still_healthy();
}

#[test]
fn unbounded_recursion_is_a_stack_overflow_and_cannot_be_caught() {
    let (error, printed) = failure(
        "function down(n) {\n  return down(n + 1) + 1;\n}\ntry { down(0) } catch (e) { print('caught', e) }\nprint('after');\n",
        limits(),
    );
    assert_eq!(error.code, "stack_overflow");
    assert_eq!(printed, "");
    assert_eq!(error.line, Some(2));
    assert_eq!(error.stack.first().map(|entry| entry.function.as_str()), Some("down"));

    // Big frames reach QuickJS's own (catchable) limit before an interrupt poll: still fatal.
    let locals: Vec<String> = (0..200).map(|index| format!("a{index} = n + {index}")).collect();
    let sum: Vec<String> = (0..200).map(|index| format!("a{index}")).collect();
    let fat = format!(
        "function fat(n) {{ let {}; return fat(n + 1) + {} }}\ntry {{ fat(0) }} catch (e) {{ print('caught', e) }}\nprint('after');",
        locals.join(", "),
        sum.join(" + ")
    );
    let (error, printed) = failure(&fat, limits());
    assert_eq!((error.code.as_str(), printed.as_str()), ("stack_overflow", ""));

    // Recursion through the host, re-entering the script each time.
    let (error, printed) = failure(
        "function deep(n) { return test.call(deep, n + 1) }\ntry { deep(0) } catch (e) { print('caught', e.code) }",
        limits(),
    );
    assert_eq!((error.code.as_str(), printed.as_str()), ("stack_overflow", ""));

    // The formatter that detects the overflow cannot be replaced.
    let printed = output(Js, "try { Error.prepareStackTrace = () => 'mine' } catch (e) { print(e.name) }");
    assert_eq!(printed, "TypeError\n");
    still_healthy();
}

#[test]
fn moderate_recursion_is_fine() {
    assert_eq!(output(Js, "function r(n) { return n === 0 ? 0 : r(n - 1) + 1 }\nprint(r(5000))"), "5000\n");
}

#[test]
fn the_instruction_budget_ends_busy_spells_and_cannot_be_caught() {
    let budget = Limits { max_instructions: Some(1_000_000), ..limits() };
    let (error, printed) =
        failure("try { for (;;) {} } catch (e) { print('caught') } finally { print('finally') }", budget);
    assert_eq!(error.code, "instruction_limit");
    assert_eq!(error.message, "the spell ran past its instruction limit of 1000000");
    assert_eq!(printed, "");
    // A small spell fits in the budget.
    let (printed, result) = run_with(Js, "let n = 0; for (let i = 0; i < 1000; i++) n += i; print(n)", budget);
    assert_eq!((printed.as_str(), result.is_ok()), ("499500\n", true));
}

#[test]
fn cancellation_terminates_a_running_spell() {
    let (registry, _) = test_registry();
    let cancel = CancelToken::new();
    let canceller = cancel.clone();
    std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(100));
        canceller.cancel();
    });
    let spell = Spell::from_source("test.js", "try { for (;;) {} } catch (e) { print('caught') }", Js);
    let start = Instant::now();
    let error = llmspell_runtime::run(
        spell,
        Arc::new(registry),
        RunOptions { limits: limits(), cancel, ..RunOptions::default() },
    )
    .unwrap_err();
    assert_eq!(error.code, "terminated");
    assert!(start.elapsed() < Duration::from_secs(5));

    // Also while waiting on an I/O-bound call.
    let (registry, _) = test_registry();
    let cancel = CancelToken::new();
    let canceller = cancel.clone();
    std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(100));
        canceller.cancel();
    });
    let spell = Spell::from_source("test.js", "await test.sleep(60000)", Js);
    let error = llmspell_runtime::run(
        spell,
        Arc::new(registry),
        RunOptions { limits: limits(), cancel, ..RunOptions::default() },
    )
    .unwrap_err();
    assert_eq!(error.code, "terminated");
}

#[test]
fn host_errors_reporting_a_stack_overflow_or_memory_exhaustion_cannot_be_caught() {
    for code in ["stack_overflow", "memory_limit", "instruction_limit"] {
        let (error, printed) = failure(
            &format!("try {{ test.fail('{code}', 'the host ran out') }} catch (e) {{ print('caught', e.code) }}"),
            limits(),
        );
        assert_eq!((error.code.as_str(), error.message.as_str(), printed.as_str()), (code, "the host ran out", ""));
        assert_eq!(error.line, Some(1));
    }
    // Other codes, even `timeout` from a host call, are ordinary errors.
    let printed =
        output(Js, "try { test.fail('timeout', 'the server was slow') } catch (e) { print('caught', e.code) }");
    assert_eq!(printed, "caught timeout\n");
}
