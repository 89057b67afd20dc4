//! Start-up, peak memory and host-call cost of `llmspell run`, side by side with the reference
//! interpreters, in one run. Prints a Markdown table (`cargo bench -p llmspell-cli --bench startup`).
//!
//! Not a test: these machines are shared and noisy, so read the ratios, not the absolute times.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const RUNS: usize = 30;
const CALLS: u64 = 100_000;

struct Sample {
    wall: Duration,
    max_rss_kib: i64,
}

/// Runs a command once and returns its wall time and peak RSS (from `wait4`).
fn measure(program: &Path, args: &[&str], dir: &Path) -> Sample {
    let start = Instant::now();
    let child = Command::new(program)
        .args(args)
        .current_dir(dir)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|error| panic!("cannot start {}: {error}", program.display()));
    let mut status = 0;
    // SAFETY: rusage is plain data, and the pid is our own child, waited for exactly once.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let pid = child.id() as libc::pid_t;
    let waited = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    let wall = start.elapsed();
    assert_eq!(waited, pid, "wait4 failed");
    assert!(libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0, "{} {args:?} failed", program.display());
    Sample { wall, max_rss_kib: usage.ru_maxrss }
}

struct Row {
    name: String,
    median: Duration,
    min: Duration,
    rss_kib: i64,
}

fn bench(name: &str, program: &Path, args: &[&str], dir: &Path) -> Row {
    measure(program, args, dir); // warm the page cache
    let mut samples: Vec<Sample> = (0..RUNS).map(|_| measure(program, args, dir)).collect();
    samples.sort_by_key(|sample| sample.wall);
    let rss_kib = samples.iter().map(|sample| sample.max_rss_kib).max().unwrap_or(0);
    Row { name: name.to_owned(), median: samples[RUNS / 2].wall, min: samples[0].wall, rss_kib }
}

fn find(program: &str) -> Option<PathBuf> {
    std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths).map(|dir| dir.join(program)).find(|path| path.is_file())
    })
}

fn ms(duration: Duration) -> String {
    format!("{:.2}", duration.as_secs_f64() * 1000.0)
}

fn main() {
    let llmspell = PathBuf::from(env!("CARGO_BIN_EXE_llmspell"));
    let repo = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let scratch = tempfile::tempdir().unwrap();
    let dir = scratch.path();

    let mut rows = Vec::new();
    for ext in ["lua", "js", "rhai"] {
        let hello = repo.join(format!("spells/hello.{ext}"));
        let hello = hello.to_str().unwrap().to_owned();
        rows.push(bench(&format!("llmspell run hello.{ext}"), &llmspell, &["run", &hello], dir));
    }
    match find("lua5.4") {
        Some(lua) => rows.push(bench("lua5.4 -e (Debian)", &lua, &["-e", "print('Hello, world!')"], dir)),
        None => println!("lua5.4 is not installed (apt-get install lua5.4): no Lua reference row"),
    }
    match find("qjs") {
        Some(qjs) => rows.push(bench("qjs -e", &qjs, &["-e", "console.log('Hello, world!')"], dir)),
        None => println!("qjs is not installed (Debian 12 has no package): no QuickJS reference row"),
    }
    let baseline = rows.iter().find(|row| row.name.starts_with("lua5.4")).map(|row| row.median);

    println!("\n## Start-up and peak memory ({RUNS} runs each)\n");
    println!("| command | median ms | min ms | peak RSS MiB | vs lua5.4 |");
    println!("|---|---|---|---|---|");
    for row in &rows {
        let ratio = baseline
            .map(|base| format!("{:.1}×", row.median.as_secs_f64() / base.as_secs_f64()))
            .unwrap_or_else(|| "–".into());
        println!(
            "| {} | {} | {} | {:.1} | {ratio} |",
            row.name,
            ms(row.median),
            ms(row.min),
            row.rss_kib as f64 / 1024.0
        );
    }

    // The cost of one host call: a loop that calls json.encode minus the same loop without it.
    let loops = [
        (
            "lua",
            format!("local s = 0\nfor i = 1, {CALLS} do s = s + #json.encode(i) end\nprint(s)\n"),
            format!("local s = 0\nfor i = 1, {CALLS} do s = s + #tostring(i) end\nprint(s)\n"),
        ),
        (
            "js",
            format!("let s = 0;\nfor (let i = 1; i <= {CALLS}; i++) {{ s += json.encode(i).length; }}\nprint(s);\n"),
            format!("let s = 0;\nfor (let i = 1; i <= {CALLS}; i++) {{ s += String(i).length; }}\nprint(s);\n"),
        ),
        (
            "rhai",
            format!("let s = 0;\nfor i in 1..={CALLS} {{ s += json.encode(i).len(); }}\nprint(s);\n"),
            format!("let s = 0;\nfor i in 1..={CALLS} {{ s += i.to_string().len(); }}\nprint(s);\n"),
        ),
    ];
    println!("\n## {CALLS} calls of one host function (`json.encode(i)`), per engine\n");
    println!("| engine | with calls ms | plain loop ms | per call ns |");
    println!("|---|---|---|---|");
    for (ext, with_calls, plain) in loops {
        let calls_file = dir.join(format!("calls.{ext}"));
        let plain_file = dir.join(format!("plain.{ext}"));
        std::fs::write(&calls_file, with_calls).unwrap();
        std::fs::write(&plain_file, plain).unwrap();
        let calls = bench(ext, &llmspell, &["run", calls_file.to_str().unwrap()], dir);
        let base = bench(ext, &llmspell, &["run", plain_file.to_str().unwrap()], dir);
        let per_call = (calls.median.as_secs_f64() - base.median.as_secs_f64()) / CALLS as f64 * 1e9;
        println!("| {ext} | {} | {} | {per_call:.0} |", ms(calls.median), ms(base.median));
    }
}
