//! Full parse and incremental reparse of a ~5,000-line spell in each language.
//!
//! Run with `cargo bench -p llmspell-syntax --bench parse`; prints a Markdown table of medians.

use std::time::{Duration, Instant};

use llmspell_syntax::{Language, TextRange, parse};

const LUA: &str = r#"-- research step {i}
local researcher{i} = agent.create({ name = "researcher{i}", model = "openai/gpt-4o-mini", system = "You research." })
local writer{i} = agent.create({ name = "writer{i}", model = "openai/gpt-4o-mini" })
local function summarise{i}(items, limit)
  local out = {}
  for index, item in ipairs(items) do
    if index > limit then break end
    out[#out + 1] = string.format("%d: %s", index, tostring(item))
  end
  return table.concat(out, "\n")
end
local flow{i} = workflow.sequential({
  name = "flow{i}",
  steps = {
    { name = "research", agent = researcher{i}, input = "topic {i}" },
    { name = "write", agent = writer{i} },
  },
})
local result{i} = flow{i}:run({ topic = summarise{i}({ "a", "b", "c" }, 2) })
while result{i} == nil do result{i} = flow{i}:run({}) end
"#;

const JAVASCRIPT: &str = r#"// research step {i}
const researcher{i} = agent.create({ name: "researcher{i}", model: "openai/gpt-4o-mini", system: "You research." });
const writer{i} = agent.create({ name: "writer{i}", model: "openai/gpt-4o-mini" });
function summarise{i}(items, limit) {
  const out = [];
  for (let index = 0; index < items.length; index++) {
    if (index >= limit) break;
    out.push(`${index}: ${String(items[index])}`);
  }
  return out.join("\n");
}
const flow{i} = workflow.sequential({
  name: "flow{i}",
  steps: [
    { name: "research", agent: researcher{i}, input: "topic {i}" },
    { name: "write", agent: writer{i} },
  ],
});
let result{i} = flow{i}.run({ topic: summarise{i}(["a", "b", "c"], 2) });
while (result{i} === null) { result{i} = flow{i}.run({}); }
"#;

const RHAI: &str = r#"// research step {i}
let researcher{i} = agent.create(#{ name: "researcher{i}", model: "openai/gpt-4o-mini", system: "You research." });
let writer{i} = agent.create(#{ name: "writer{i}", model: "openai/gpt-4o-mini" });
fn summarise{i}(items, limit) {
  let out = [];
  for (item, index) in items {
    if index >= limit { break; }
    out.push(`${index}: ${item}`);
  }
  out.reduce(|sum, line| sum + "\n" + line, "")
}
let flow{i} = workflow.sequential(#{
  name: "flow{i}",
  steps: [
    #{ name: "research", agent: researcher{i}, input: "topic {i}" },
    #{ name: "write", agent: writer{i} },
  ],
});
let result{i} = flow{i}.run(#{ topic: summarise{i}(["a", "b", "c"], 2) });
while result{i} == () { result{i} = flow{i}.run(#{}); }
"#;

const TARGET_LINES: usize = 5_000;
const RUNS: usize = 15;

fn spell(template: &str) -> String {
    let mut text = String::new();
    let mut block = 0;
    while text.lines().count() < TARGET_LINES {
        text += &template.replace("{i}", &block.to_string());
        block += 1;
    }
    text
}

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

fn main() {
    println!(
        "| language | lines | bytes | syntax errors | full parse median ms | incremental reparse median ms |"
    );
    println!("|---|---|---|---|---|---|");
    for (language, template) in [
        (Language::Lua, LUA),
        (Language::JavaScript, JAVASCRIPT),
        (Language::Rhai, RHAI),
    ] {
        let text = spell(template);
        let errors = parse(language, &text).errors().len();
        let full = median(
            (0..RUNS)
                .map(|_| {
                    let started = Instant::now();
                    std::hint::black_box(parse(language, &text));
                    started.elapsed()
                })
                .collect(),
        );
        // A one-character edit in the middle: insert a space at the start of the middle line.
        let middle = text.len() / 2;
        let offset = text[middle..]
            .find('\n')
            .map_or(middle, |index| middle + index + 1);
        let incremental = median(
            (0..RUNS)
                .map(|_| {
                    let mut tree = parse(language, &text);
                    let started = Instant::now();
                    tree.edit(TextRange::new(offset, offset), " ");
                    let elapsed = started.elapsed();
                    std::hint::black_box(&tree);
                    elapsed
                })
                .collect(),
        );
        println!(
            "| {language:?} | {} | {} | {errors} | {:.2} | {:.2} |",
            text.lines().count(),
            text.len(),
            full.as_secs_f64() * 1e3,
            incremental.as_secs_f64() * 1e3,
        );
    }
}
