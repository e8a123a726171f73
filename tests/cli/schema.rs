//! `needtrail schema`: the JSON Schema an editor checks item files with.

use std::path::Path;

use serde_json::Value;

use crate::support::{run, sample};

/// The schema `needtrail schema DIR` prints, ready to validate with.
fn validator(dir: &Path) -> jsonschema::Validator {
    let r = run(["schema".as_ref(), dir.as_os_str()]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let schema: Value = serde_json::from_str(&r.stdout).expect("the schema is JSON");
    assert_eq!(
        schema["$schema"],
        "https://json-schema.org/draft/2020-12/schema"
    );
    jsonschema::options()
        .should_validate_formats(true)
        .build(&schema)
        .expect("the schema is a valid JSON Schema")
}

/// A TOML document as an editor validates it: as JSON, with each date as
/// its text (`2026-02-08`), the way taplo converts one.
fn as_json(value: toml::Value) -> Value {
    match value {
        toml::Value::String(s) => Value::String(s),
        toml::Value::Integer(i) => Value::from(i),
        toml::Value::Float(f) => Value::from(f),
        toml::Value::Boolean(b) => Value::Bool(b),
        toml::Value::Datetime(d) => Value::String(d.to_string()),
        toml::Value::Array(a) => Value::Array(a.into_iter().map(as_json).collect()),
        toml::Value::Table(t) => {
            Value::Object(t.into_iter().map(|(k, v)| (k, as_json(v))).collect())
        }
    }
}

fn parse(text: &str) -> Value {
    as_json(toml::Value::Table(
        toml::from_str(text).expect("the item file is TOML"),
    ))
}

/// Every message the validator has about `doc`, one a line.
fn errors(validator: &jsonschema::Validator, doc: &Value) -> Vec<String> {
    validator
        .iter_errors(doc)
        .map(|e| format!("{}: {e}", e.instance_path()))
        .collect()
}

#[test]
fn every_item_file_of_both_samples_passes_its_generated_schema() {
    for name in ["doors-zh", "auto-parts-en"] {
        let dir = sample(name);
        let validator = validator(&dir);
        let files = needtrail::load::discover(&dir);
        assert!(files.len() > 3, "{name}: too few item files found");
        for (path, rel) in files {
            let doc = parse(&std::fs::read_to_string(&path).unwrap());
            let errors = errors(&validator, &doc);
            assert!(errors.is_empty(), "{name}/{rel}:\n{}", errors.join("\n"));
        }
    }
}

#[test]
fn a_misspelt_field_a_wrong_value_or_a_missing_id_is_flagged() {
    let validator = validator(&sample("doors-zh"));
    let good = r#"
[[requirement]]
id = "REQ-900"
title = "Wind load"
class = "stated"
tags = ["structure"]

[[review]]
id = "REV-900"
date = 2026-02-08

[[review.decision]]
requirement = "REQ-900"
verdict = "accepted"
"#;
    let doc = parse(good);
    assert_eq!(errors(&validator, &doc), Vec::<String>::new());

    for (bad, path) in [
        (good.replace("title =", "titel ="), "/requirement/0"),
        (
            good.replace("\"stated\"", "\"stata\""),
            "/requirement/0/class",
        ),
        (good.replace("id = \"REQ-900\"\n", ""), "/requirement/0"),
        (good.replace("[[review]]", "[[reveiw]]"), ""),
        (
            good.replace("verdict =", "verdikt ="),
            "/review/0/decision/0",
        ),
        (
            good.replace("date = 2026-02-08", "date = 2026-02-08T10:00:00"),
            "/review/0/date",
        ),
    ] {
        let errors = errors(&validator, &parse(&bad));
        assert!(
            errors.iter().any(|e| e.starts_with(&format!("{path}: "))),
            "not flagged at `{path}`:\n{bad}\n{errors:?}"
        );
    }
}

#[test]
fn the_project_s_own_kinds_and_fields_are_in_its_schema() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("needtrail.toml"),
        r#"
[kinds.supplier_audit]
label = { en = "Supplier audit", zh = "供方审核" }
[kinds.supplier_audit.fields]
score = { type = "integer" }
grade = { type = "enum", values = ["a", "b"] }

[kinds.requirement.fields]
plant = { type = "string" }
"#,
    )
    .unwrap();
    let r = run(["schema".as_ref(), dir.path().as_os_str()]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let schema: Value = serde_json::from_str(&r.stdout).unwrap();
    let audit = &schema["properties"]["supplier_audit"];
    assert_eq!(audit["description"], "Supplier audit / 供方审核");
    assert_eq!(audit["items"]["properties"]["score"]["type"], "integer");
    assert_eq!(
        audit["items"]["properties"]["grade"]["enum"],
        serde_json::json!(["a", "b"])
    );
    assert_eq!(
        schema["properties"]["requirement"]["items"]["properties"]["plant"]["type"],
        "string"
    );
    // The same profile gives the same bytes.
    assert_eq!(
        run(["schema".as_ref(), dir.path().as_os_str()]).stdout,
        r.stdout
    );
}

#[test]
fn enum_values_carry_their_chinese_labels() {
    let r = run(["schema".as_ref(), sample("doors-zh").as_os_str()]);
    let schema: Value = serde_json::from_str(&r.stdout).unwrap();
    let class = &schema["properties"]["requirement"]["items"]["properties"]["class"];
    assert!(
        class["description"]
            .as_str()
            .unwrap()
            .contains("stated (明示的)"),
        "{class}"
    );
}

#[test]
fn the_schema_is_written_to_a_file_and_a_broken_profile_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("needtrail.schema.json");
    let project = sample("auto-parts-en");
    let r = run([
        "schema".as_ref(),
        project.as_os_str(),
        "--out".as_ref(),
        out.as_os_str(),
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.is_empty());
    assert_eq!(
        std::fs::read_to_string(&out).unwrap(),
        run(["schema".as_ref(), project.as_os_str()]).stdout
    );

    // A file of the project is never the output.
    let copy = dir.path().join("copy");
    let r = run(["init".as_ref(), copy.as_os_str()]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let items = copy.join("requirements.toml");
    let before = std::fs::read(&items).unwrap();
    let r = run([
        "schema".as_ref(),
        copy.as_os_str(),
        "--out".as_ref(),
        items.as_os_str(),
    ]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("requirements.toml"), "{}", r.stderr);
    assert_eq!(std::fs::read(&items).unwrap(), before);

    std::fs::write(
        dir.path().join("needtrail.toml"),
        "[kinds.x.fields]\nn = { type = \"integr\" }\n",
    )
    .unwrap();
    let r = run(["schema".as_ref(), dir.path().as_os_str()]);
    assert_eq!(r.code, 2);
    assert!(r.stdout.is_empty());
    assert!(r.stderr.contains("needtrail.toml"), "{}", r.stderr);
}

#[test]
fn init_points_the_editor_at_a_schema_its_own_example_passes() {
    let dir = tempfile::tempdir().unwrap();
    let project = dir.path().join("p");
    let r = run(["init".as_ref(), project.as_os_str()]);
    assert_eq!(r.code, 0, "{}", r.stderr);

    // .taplo.toml: one rule giving the item files the schema, by a path
    // relative to the project folder.
    let taplo: toml::Table =
        toml::from_str(&std::fs::read_to_string(project.join(".taplo.toml")).unwrap()).unwrap();
    let rule = &taplo["rule"].as_array().unwrap()[0];
    assert_eq!(
        rule["include"].as_array().unwrap()[0].as_str(),
        Some("**/*.toml")
    );
    let excluded: Vec<&str> = rule["exclude"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|v| v.as_str())
        .collect();
    assert!(excluded.contains(&"needtrail.toml"), "{excluded:?}");
    let path = rule["schema"]["path"].as_str().unwrap();
    let written = std::fs::read_to_string(project.join(path)).unwrap();

    // The schema written is the one `needtrail schema` gives, and the example passes it.
    assert_eq!(
        written,
        run(["schema".as_ref(), project.as_os_str()]).stdout
    );
    let validator = jsonschema::options()
        .should_validate_formats(true)
        .build(&serde_json::from_str(&written).unwrap())
        .unwrap();
    let example = parse(&std::fs::read_to_string(project.join("requirements.toml")).unwrap());
    assert_eq!(errors(&validator, &example), Vec::<String>::new());
    // Neither file is read as an item file.
    assert_eq!(run(["check".as_ref(), project.as_os_str()]).code, 0);
}
