//! Every example spell in `spells/` parses without a syntax error, and the workflow examples
//! show the same structure in Lua, JavaScript and Rhai.

mod common;

use std::path::Path;

use expect_test::{Expect, expect};
use llmspell_syntax::{Language, analyze, parse};

fn spells() -> Vec<(String, Language, String)> {
    let folder = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../spells");
    let mut spells = Vec::new();
    for entry in std::fs::read_dir(&folder).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if let Some(language) = Language::from_path(&name) {
            spells.push((name, language, std::fs::read_to_string(&path).unwrap()));
        }
    }
    spells.sort_by(|left, right| left.0.cmp(&right.0));
    spells
}

#[test]
fn every_example_spell_parses_without_errors() {
    let spells = spells();
    assert!(spells.len() >= 3, "the spells folder has examples");
    let mut failures = Vec::new();
    for (name, language, text) in &spells {
        for error in parse(*language, text).errors() {
            failures.push(format!(
                "{name}:{}: {}",
                common::position(text, error.range.start),
                error.message
            ));
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
}

/// The workflows of one example spell, in every language it is written in.
fn check_workflows(stem: &str, expect: Expect) {
    let api = common::host_api();
    let mut actual = String::new();
    for (name, language, text) in spells() {
        if name.rsplit_once('.').map(|(base, _)| base) != Some(stem) {
            continue;
        }
        actual += &format!("{name}\n");
        for workflow in analyze(&parse(language, &text), &api).workflows {
            let workflow_name = workflow.name.map(|(name, _)| name).unwrap_or_default();
            let steps: Vec<String> = workflow.steps.into_iter().map(|step| step.name).collect();
            actual += &format!("  {} {workflow_name}", workflow.callee);
            if !steps.is_empty() {
                actual += &format!(": {}", steps.join(", "));
            }
            actual += "\n";
        }
    }
    expect.assert_eq(&actual);
}

#[test]
fn workflow_pipeline_structure() {
    check_workflows(
        "workflow_pipeline",
        expect![[r#"
        workflow_pipeline.js
          workflow.sequential announce: drafter, prepare, finish, assemble
          workflow.parallel finish: headliner, reviewer
        workflow_pipeline.lua
          workflow.sequential announce: drafter, prepare, finish, assemble
          workflow.parallel finish: headliner, reviewer
        workflow_pipeline.rhai
          workflow.sequential announce: drafter, prepare, finish, assemble
          workflow.parallel finish: headliner, reviewer
    "#]],
    );
}

#[test]
fn workflow_triage_structure() {
    check_workflows(
        "workflow_triage",
        expect![[r#"
        workflow_triage.js
          workflow.conditional route
          workflow.loop shorten
          workflow.sequential triage: classify, route, shorten
        workflow_triage.lua
          workflow.conditional route
          workflow.loop shorten
          workflow.sequential triage: classify, route, shorten
        workflow_triage.rhai
          workflow.conditional route
          workflow.loop shorten
          workflow.sequential triage: classify, route, shorten
    "#]],
    );
}
