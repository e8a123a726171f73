//! ReqIF in and out, Doorstop trees in, checked against the peer tools.
//!
//! The StrictDoc and Doorstop fixtures are built at test time by the scripts
//! in `../shared/peers/` with the real tools from a Python venv (env
//! `NT_PEERS_VENV`, default `/tmp/nt-peers/venv2`); the ReqIF schema check
//! and the StrictDoc import use the same venv. Without the venv or the
//! scripts these tests say so and pass, except under CI (`CI=true`), whose
//! script creates the venv.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use serde_json::Value;

use crate::support::{fixture, run, sample, write};

/// The venv and the scripts, or why they are missing.
struct Peers {
    venv: PathBuf,
    scripts: PathBuf,
}

fn peers() -> Option<Peers> {
    let venv = std::env::var_os("NT_PEERS_VENV")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/tmp/nt-peers/venv2"));
    let scripts = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/peers");
    let missing = if !venv.join("bin/strictdoc").exists() || !venv.join("bin/doorstop").exists() {
        Some(format!(
            "no venv with doorstop and strictdoc at {} (set NT_PEERS_VENV)",
            venv.display()
        ))
    } else if !scripts.join("make_reqif.sh").exists() {
        Some(format!("no peer scripts at {}", scripts.display()))
    } else {
        None
    };
    match missing {
        None => Some(Peers { venv, scripts }),
        Some(m) if std::env::var("CI").as_deref() == Ok("true") => {
            panic!("interchange test cannot run under CI: {m}; .ci/run creates the venv")
        }
        Some(m) => {
            eprintln!("skipped: {m}");
            None
        }
    }
}

/// Runs a peer script once per test run, into a folder kept until exit.
fn built(script: &str, cell: &'static OnceLock<PathBuf>) -> Option<PathBuf> {
    let p = peers()?;
    Some(
        cell.get_or_init(|| {
            let dir = tempfile::tempdir().unwrap().keep();
            let out = dir.join("out");
            let status = Command::new("bash")
                .arg(p.scripts.join(script))
                .arg(&out)
                .env("NT_PEERS_VENV", &p.venv)
                .output()
                .expect("runs the peer script");
            assert!(
                status.status.success(),
                "{script} failed:\n{}\n{}",
                String::from_utf8_lossy(&status.stdout),
                String::from_utf8_lossy(&status.stderr)
            );
            out
        })
        .clone(),
    )
}

fn reqif_fixtures() -> Option<PathBuf> {
    static CELL: OnceLock<PathBuf> = OnceLock::new();
    built("make_reqif.sh", &CELL)
}

fn doorstop_tree() -> Option<PathBuf> {
    static CELL: OnceLock<PathBuf> = OnceLock::new();
    built("make_doorstop_tree.sh", &CELL)
}

/// An empty project with the built-in profile (and extra needtrail.toml).
fn empty_project(extra: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "needtrail.toml",
        &format!("[project]\nname = \"imported\"\nprofile = \"iso9001\"\n{extra}"),
    );
    dir
}

/// A Doorstop document's `.doorstop.yml` in `folder` of the tree `t`.
fn doorstop_document(t: &Path, folder: &str, prefix: &str, parent: Option<&str>) {
    let parent = parent.map_or_else(String::new, |p| format!("  parent: {p}\n"));
    write(
        t,
        &format!("{folder}/.doorstop.yml"),
        &format!("settings:\n  digits: 3\n  prefix: {prefix}\n  sep: '-'\n{parent}"),
    );
}

fn import(kind: &str, file: &Path, dir: &Path, extra: &[&str]) -> (i32, Value, String) {
    let mut args: Vec<std::ffi::OsString> = vec![
        "import".into(),
        kind.into(),
        file.into(),
        dir.into(),
        "--format".into(),
        "json".into(),
    ];
    args.extend(extra.iter().map(Into::into));
    let r = run(args);
    let json = if r.code == 0 { r.json() } else { Value::Null };
    (r.code, json, r.stderr)
}

/// Every item of every TOML file the import wrote, by id: its kind and
/// fields.
fn items(dir: &Path) -> BTreeMap<String, (String, toml::Table)> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "toml")
                && p.file_name().is_some_and(|n| n != "needtrail.toml")
            {
                let t: toml::Table = fs::read_to_string(&p).unwrap().parse().unwrap();
                for (kind, list) in t {
                    for item in list.as_array().unwrap() {
                        let item = item.as_table().unwrap().clone();
                        let id = item["id"].as_str().unwrap().to_owned();
                        out.insert(id, (kind.clone(), item));
                    }
                }
            }
        }
    }
    out
}

fn s<'a>(t: &'a toml::Table, key: &str) -> Option<&'a str> {
    t.get(key).and_then(|v| v.as_str())
}

fn list(t: &toml::Table, key: &str) -> Vec<String> {
    match t.get(key) {
        Some(toml::Value::Array(a)) => a.iter().map(|v| v.as_str().unwrap().to_owned()).collect(),
        Some(toml::Value::String(s)) => vec![s.clone()],
        _ => Vec::new(),
    }
}

fn oracle(dir: &Path) -> Value {
    serde_json::from_str(&fs::read_to_string(dir.join("oracle.json")).unwrap()).unwrap()
}

#[test]
fn strictdoc_reqif_exports_import_with_every_object_text_and_relation() {
    let Some(fx) = reqif_fixtures() else { return };
    let o = oracle(&fx);
    let expected = &o["expected_from_sdoc"];
    for file in [
        "strictdoc.reqif",
        "strictdoc-xhtml.reqif",
        "strictdoc.reqifz",
    ] {
        let project = empty_project("");
        let (code, summary, stderr) = import("reqif", &fx.join(file), project.path(), &[]);
        assert_eq!(code, 0, "{file}: {stderr}");
        assert_eq!(
            summary["added"].as_array().unwrap().len(),
            10,
            "{file}: {summary}"
        );
        let got = items(project.path());
        for r in expected["requirements"].as_array().unwrap() {
            let id = r["human_id"].as_str().unwrap();
            let (kind, item) = got
                .get(id)
                .unwrap_or_else(|| panic!("{file}: {id} missing"));
            assert_eq!(kind, "requirement");
            assert_eq!(s(item, "title"), r["title"].as_str(), "{file}: {id} title");
            assert_eq!(s(item, "text"), r["text"].as_str(), "{file}: {id} text");
            assert_eq!(s(item, "class"), Some("stated"));
            let parents: Vec<String> = r["parents"]
                .as_array()
                .unwrap()
                .iter()
                .map(|p| p.as_str().unwrap().to_owned())
                .collect();
            assert_eq!(list(item, "refines"), parents, "{file}: {id} relations");
            let spec = if id.starts_with("STK") {
                "干系人需求"
            } else {
                "System requirements"
            };
            assert!(
                s(item, "source").unwrap().contains(spec),
                "{file}: {id} source"
            );
            assert!(s(item, "reqif_id").is_some_and(|r| r.starts_with("REQUIREMENT-")));
        }
        // Headings are not requirements, but label the requirements below.
        assert_eq!(got.len(), 10, "{file}");
        assert_eq!(
            s(&got["STK-001"].1, "section"),
            Some("访问控制 Access control")
        );
        assert_eq!(s(&got["STK-003"].1, "section"), Some("Safety 安全"));
        // StrictDoc's RATIONALE fills the requirement's rationale.
        assert_eq!(
            s(&got["STK-002"].1, "rationale"),
            Some(
                "Holiday-rental hosts hand out codes instead of keys.\nCodes must expire without the host's intervention."
            )
        );
        // Importing the same file again changes nothing.
        let (code, again, _) = import("reqif", &fx.join(file), project.path(), &[]);
        assert_eq!(code, 0);
        assert_eq!(again["added"], serde_json::json!([]), "{file}");
        assert_eq!(again["changed"], serde_json::json!([]), "{file}");
        assert_eq!(again["unchanged"], 10);
        assert_eq!(again["files"], serde_json::json!([]));
    }
}

#[test]
fn the_hand_made_minimal_file_imports_with_its_relations() {
    let Some(fx) = reqif_fixtures() else { return };
    let project = empty_project("");
    let (code, _, stderr) = import(
        "reqif",
        &fx.join("handmade-minimal.reqif"),
        project.path(),
        &[],
    );
    assert_eq!(code, 0, "{stderr}");
    let got = items(project.path());
    let o = oracle(&fx);
    for obj in o["files"]["handmade-minimal.reqif"]["spec_objects"]
        .as_array()
        .unwrap()
    {
        let id = obj["human_id"].as_str().unwrap();
        assert_eq!(s(&got[id].1, "title"), obj["title_decoded"].as_str());
        assert_eq!(s(&got[id].1, "text"), obj["text_decoded"].as_str());
    }
    for r in o["files"]["handmade-minimal.reqif"]["spec_relations"]
        .as_array()
        .unwrap()
    {
        let (from, to) = (
            r["source_human_id"].as_str().unwrap(),
            r["target_human_id"].as_str().unwrap(),
        );
        assert_eq!(list(&got[from].1, "refines"), [to]);
    }
}

#[test]
fn a_vendor_file_imports_every_datatype_heading_and_relation() {
    let project = empty_project("");
    let vendor = fixture("interchange/vendor.reqif");
    let (code, summary, stderr) = import("reqif", &vendor, project.path(), &[]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(
        summary["added"],
        serde_json::json!(["CSR-101", "CSR-101.1", "CSR-102", "_o5"])
    );
    // A relation to a heading is reported, not dropped silently.
    assert!(
        stderr.contains("note: ")
            && stderr.contains("SPEC-RELATION _r2 `refines` _o5 → _o1 not imported: its target is not imported (it is a heading"),
        "{stderr}"
    );
    let text = fs::read_to_string(project.path().join("reqif/vendor.toml")).unwrap();
    let got = items(project.path());
    let r101 = &got["CSR-101"].1;
    assert_eq!(s(r101, "title"), Some("工作温度"));
    assert_eq!(
        s(r101, "text"),
        Some(
            "门锁应在 -40 °C 至 +85 °C 范围内正常工作。\nThe lock shall work from -40 °C to +85 °C & keep its\nsettings.\n- 冷启动 cold start\n- 热浸 hot soak"
        )
    );
    assert_eq!(
        s(r101, "section"),
        Some("1 总则 General / 1.1 环境 Environment")
    );
    assert_eq!(s(r101, "reqif_id"), Some("_o3"));
    assert_eq!(
        s(r101, "source"),
        Some("门锁系统技术要求 V2.1 (vendor.reqif)")
    );
    // Attributes no field takes keep their types; an attribute without
    // LONG-NAME is named by its IDENTIFIER; enumerations by LONG-NAME.
    let attrs = r101["attributes"].as_table().unwrap();
    assert_eq!(attrs["_a_prio"].as_integer(), Some(3));
    assert_eq!(attrs["Weight"].as_float(), Some(2.5));
    assert_eq!(attrs["Safety relevant"].as_bool(), Some(true));
    assert!(attrs["Due date"].is_datetime());
    assert_eq!(attrs["Status"].as_str(), Some("agreed 已确认"));
    assert!(
        text.contains("\"Due date\" = 2026-02-15T00:00:00+08:00"),
        "{text}"
    );
    // The relation between two requirements is a link.
    assert_eq!(list(&got["CSR-102"].1, "refines"), ["CSR-101"]);
    // The hierarchy: an object nested under another names it.
    assert_eq!(
        s(&got["CSR-101.1"].1, "section"),
        Some("1 总则 General / 1.1 环境 Environment / CSR-101")
    );
    // An object without ForeignID is known by its IDENTIFIER.
    assert_eq!(s(&got["_o5"].1, "section"), Some("1 总则 General"));
    // The project checks: the imported file is valid input.
    let (_, check) = crate::support::check_json(project.path());
    assert_eq!(check["summary"]["items"], 4, "{check}");
}

#[test]
fn a_mapping_in_needtrail_toml_maps_types_attributes_and_relations() {
    let project = empty_project(
        r#"
[kinds.requirement.fields]
priority = { type = "integer" }
status = { type = "enum", values = ["open", "agreed"] }

[import.reqif]
file = "customer/door-lock.toml"
class = "legal"
[import.reqif.types]
"Customer Requirement" = "requirement"
"Heading" = "heading"
[import.reqif.attributes]
"_a_prio" = "priority"
"Status" = { field = "status", values = { "open 待评审" = "open", "agreed 已确认" = "agreed" } }
[import.reqif.relations]
"refines" = "skip"
"#,
    );
    let vendor = fixture("interchange/vendor.reqif");
    let r = run([
        "import".as_ref(),
        "reqif".as_ref(),
        vendor.as_os_str(),
        project.path().as_os_str(),
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    // The skipped relation is reported, not dropped silently.
    assert!(
        r.stdout
            .contains("SPEC-RELATION _r1 `refines` CSR-102 → CSR-101 not imported"),
        "{}",
        r.stdout
    );
    let got = items(project.path());
    let r101 = &got["CSR-101"].1;
    assert_eq!(r101["priority"].as_integer(), Some(3));
    assert_eq!(s(r101, "status"), Some("agreed"));
    assert_eq!(s(r101, "class"), Some("legal"));
    assert_eq!(s(&got["CSR-102"].1, "status"), Some("open"));
    assert!(got["CSR-102"].1.get("refines").is_none());
    assert!(project.path().join("customer/door-lock.toml").exists());
}

#[test]
fn a_wrong_mapping_is_an_error_naming_its_place_and_nothing_is_written() {
    let project = empty_project(
        "\n[import.reqif]\nkinds = \"requirement\"\n[import.reqif.types]\n\"Customer Requirement\" = \"requirment\"\n[import.reqif.relations]\nrefines = \"trace\"\n",
    );
    let before = crate::support::snapshot_tree(project.path());
    let vendor = fixture("interchange/vendor.reqif");
    let r = run([
        "import".as_ref(),
        "reqif".as_ref(),
        vendor.as_os_str(),
        project.path().as_os_str(),
    ]);
    assert_eq!(r.code, 2, "{}", r.stdout);
    assert!(
        r.stderr
            .contains("needtrail.toml:6:1: unknown key `kinds` in [import.reqif]"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("did you mean `kind`?"), "{}", r.stderr);
    assert!(
        r.stderr
            .contains("needtrail.toml:8:26: no kind `requirment`"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr.contains("did you mean `requirement`?"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr
            .contains("needtrail.toml:10:11: no link field `trace`"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("did you mean `traces`?"), "{}", r.stderr);
    assert_eq!(crate::support::snapshot_tree(project.path()), before);
}

#[test]
fn a_broken_reqif_file_is_an_error_with_its_line() {
    let project = empty_project("");
    write(
        project.path(),
        "in/bad.reqif",
        "<REQ-IF xmlns=\"http://www.omg.org/spec/ReqIF/20110401/reqif.xsd\">\n<THE-HEADER>\n</REQ-IF>\n",
    );
    let r = run([
        "import".as_ref(),
        "reqif".as_ref(),
        project.path().join("in/bad.reqif").as_os_str(),
        project.path().as_os_str(),
    ]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("bad.reqif:3:"), "{}", r.stderr);
    assert!(!project.path().join("reqif").exists());
}

/// The SPEC-OBJECT identifiers of a ReqIF file by ForeignID.
fn identifiers(file: &Path) -> BTreeMap<String, String> {
    let docs = needtrail::interchange::reqif::read::read_path(file).unwrap();
    let mut out = BTreeMap::new();
    for d in &docs {
        let r = d.resolve(&|_| None);
        for o in r.objects {
            if let Some(id) = o.text("ReqIF.ForeignID") {
                out.insert(id, o.identifier);
            }
        }
    }
    out
}

#[test]
fn an_item_imported_from_reqif_is_exported_with_its_original_identifier() {
    let project = empty_project("");
    let vendor = fixture("interchange/vendor.reqif");
    let (code, _, stderr) = import("reqif", &vendor, project.path(), &[]);
    assert_eq!(code, 0, "{stderr}");
    let elsewhere = tempfile::tempdir().unwrap();
    let out = elsewhere.path().join("answer.reqif");
    let r = run([
        "export".as_ref(),
        "reqif".as_ref(),
        project.path().as_os_str(),
        "--out".as_ref(),
        out.as_os_str(),
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let ids = identifiers(&out);
    assert_eq!(ids["CSR-101"], "_o3");
    assert_eq!(ids["CSR-102"], "_o4");
    assert_eq!(ids["_o5"], "_o5");
    // The answer imports back with the same items, sections and links.
    let back = empty_project("");
    let (code, _, stderr) = import("reqif", &out, back.path(), &[]);
    assert_eq!(code, 0, "{stderr}");
    let (a, b) = (items(project.path()), items(back.path()));
    for id in ["CSR-101", "CSR-101.1", "CSR-102", "_o5"] {
        for key in ["title", "text", "section", "reqif_id", "class"] {
            assert_eq!(s(&a[id].1, key), s(&b[id].1, key), "{id} {key}");
        }
        assert_eq!(list(&a[id].1, "refines"), list(&b[id].1, "refines"), "{id}");
    }
}

#[test]
fn export_is_byte_identical_and_its_identifiers_are_stable() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (dir.path().join("a.reqif"), dir.path().join("b.reqifz"));
    for out in [&a, &b, &a] {
        let r = run([
            "export".as_ref(),
            "reqif".as_ref(),
            sample("doors-zh").as_os_str(),
            "--out".as_ref(),
            out.as_os_str(),
        ]);
        assert_eq!(r.code, 0, "{}", r.stderr);
    }
    let first = fs::read(&a).unwrap();
    let r = run([
        "export".as_ref(),
        "reqif".as_ref(),
        sample("doors-zh").as_os_str(),
        "--out".as_ref(),
        a.as_os_str(),
    ]);
    assert_eq!(r.code, 0);
    assert_eq!(fs::read(&a).unwrap(), first);
    assert_eq!(identifiers(&a), identifiers(&b));
    // Bad options are errors, nothing written.
    let c = dir.path().join("c.reqif");
    let r = run([
        "export".as_ref(),
        "reqif".as_ref(),
        sample("doors-zh").as_os_str(),
        "--out".as_ref(),
        c.as_os_str(),
        "--kinds".as_ref(),
        "requirment".as_ref(),
    ]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("did you mean `requirement`?"),
        "{}",
        r.stderr
    );
    assert!(!c.exists());
    let xml = dir.path().join("c.xml");
    let r = run([
        "export".as_ref(),
        "reqif".as_ref(),
        sample("doors-zh").as_os_str(),
        "--out".as_ref(),
        xml.as_os_str(),
    ]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("write a .reqif file, or a .reqifz"),
        "{}",
        r.stderr
    );
    assert!(!xml.exists());
}

/// An item as the round trip must keep it: kind, title, text and links.
type Kept = (
    String,
    Option<String>,
    Option<String>,
    BTreeSet<(String, String)>,
);

/// Every item of a loaded project (but reviews and sub-items).
fn project_items(dir: &Path) -> BTreeMap<String, Kept> {
    let loaded = needtrail::load::load(dir).unwrap();
    let (p, prof) = (&loaded.project, &loaded.profile);
    let text = prof.field_index("text").unwrap();
    p.items
        .iter()
        .filter(|i| i.parent.is_none() && prof.kind(i.kind).name != "review")
        .map(|i| {
            let links = i
                .links
                .iter()
                .filter(|l| !l.inherited)
                .map(|l| {
                    (
                        prof.field_name(l.field).to_owned(),
                        p.item(l.target).id.clone(),
                    )
                })
                .collect();
            (
                i.id.clone(),
                (
                    prof.kind(i.kind).name.clone(),
                    i.title.clone(),
                    i.field(text).map(|v| v.display()),
                    links,
                ),
            )
        })
        .collect()
}

#[test]
fn export_is_schema_valid_read_by_strictdoc_and_imports_back_the_same_items_and_links() {
    let Some(p) = peers() else { return };
    for name in ["doors-zh", "auto-parts-en"] {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join(format!("{name}.reqif"));
        let r = run([
            "export".as_ref(),
            "reqif".as_ref(),
            sample(name).as_os_str(),
            "--out".as_ref(),
            out.as_os_str(),
        ]);
        assert_eq!(r.code, 0, "{}", r.stderr);
        // The ReqIF schema, through the reqif package.
        let v = Command::new(p.venv.join("bin/reqif"))
            .args(["validate", "--use-reqif-schema"])
            .arg(&out)
            .output()
            .unwrap();
        let report =
            String::from_utf8_lossy(&v.stdout).into_owned() + &String::from_utf8_lossy(&v.stderr);
        assert!(
            report.contains("0 errors, 0 schema issues found, 0 semantic issues found"),
            "{name}: {report}"
        );
        // StrictDoc reads it into its documents, every item and relation.
        let sdoc = dir.path().join("sdoc");
        let c = Command::new(p.venv.join("bin/strictdoc"))
            .args(["convert", "--output-format", "sdoc"])
            .arg(&out)
            .arg(&sdoc)
            .output()
            .unwrap();
        assert!(
            c.status.success(),
            "{name}: {}",
            String::from_utf8_lossy(&c.stderr)
        );
        let mut all = String::new();
        for e in fs::read_dir(&sdoc).unwrap() {
            let e = e.unwrap().path();
            if e.extension().is_some_and(|x| x == "sdoc") {
                all.push_str(&fs::read_to_string(e).unwrap());
            }
        }
        let original = project_items(&sample(name));
        for (id, (_, _, _, links)) in &original {
            assert!(
                all.contains(&format!("UID: {id}\n")),
                "{name}: StrictDoc lost {id}"
            );
            for (field, target) in links {
                assert!(
                    all.contains(&format!("  VALUE: {target}\n  ROLE: {field}\n")),
                    "{name}: StrictDoc lost {id} {field} {target}"
                );
            }
        }
        // Imported into an empty project with the same settings, the export
        // gives back the same items and links.
        let fresh = tempfile::tempdir().unwrap();
        fs::copy(
            sample(name).join("needtrail.toml"),
            fresh.path().join("needtrail.toml"),
        )
        .unwrap();
        let (code, _, stderr) = import("reqif", &out, fresh.path(), &[]);
        assert_eq!(code, 0, "{name}: {stderr}");
        let back = project_items(fresh.path());
        assert_eq!(back, original, "{name}");
        // And exported again, every object keeps its identifier.
        let again = dir.path().join("again.reqif");
        let r = run([
            "export".as_ref(),
            "reqif".as_ref(),
            fresh.path().as_os_str(),
            "--out".as_ref(),
            again.as_os_str(),
        ]);
        assert_eq!(r.code, 0, "{}", r.stderr);
        assert_eq!(identifiers(&again), identifiers(&out), "{name}");
    }
}

#[test]
fn a_doorstop_tree_imports_and_check_finds_the_gaps_doorstop_finds() {
    let Some(tree) = doorstop_tree() else { return };
    let o = oracle(&tree);
    let project = empty_project("");
    let (code, summary, stderr) = import("doorstop", &tree.join("reqs"), project.path(), &[]);
    assert_eq!(code, 0, "{stderr}");
    let active: Vec<&Value> = o["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["active"] == true)
        .collect();
    assert_eq!(summary["added"].as_array().unwrap().len(), active.len());
    let got = items(project.path());
    for i in &active {
        let uid = i["uid"].as_str().unwrap();
        let (kind, item) = &got[uid];
        let want = match i["document"].as_str().unwrap() {
            "CUS" => "requirement",
            "DI" => "design_input",
            _ => "verification",
        };
        assert_eq!(kind, want, "{uid}");
        assert_eq!(
            s(item, "text"),
            i["text"].as_str().filter(|t| !t.is_empty()),
            "{uid}"
        );
        assert_eq!(
            s(item, "title"),
            i["header"].as_str().filter(|t| !t.is_empty()),
            "{uid}"
        );
        let mut links: Vec<String> = i["links"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| l.as_str().unwrap().to_owned())
            .collect();
        links.sort();
        let field = match want {
            "design_input" => "traces",
            "verification" => "verifies",
            _ => "none",
        };
        assert_eq!(list(item, field), links, "{uid}");
        assert_eq!(
            item.get("derived")
                .and_then(|d| d.as_bool())
                .unwrap_or(false),
            i["derived"] == true,
            "{uid}"
        );
        assert!(item["attributes"]["level"].is_str(), "{uid}");
    }
    // The coverage gaps: what doorstop -F reports about missing links.
    let (_, check) = crate::support::check_json(project.path());
    let mut gaps: BTreeSet<String> = BTreeSet::new();
    let mut derived_only_rationale = false;
    for f in check["findings"].as_array().unwrap() {
        let (rule, id, msg) = (
            f["rule"].as_str().unwrap(),
            f["id"].as_str().unwrap().to_owned(),
            f["message"].as_str().unwrap(),
        );
        match rule {
            "requirement-has-design-input" | "verification-verifies" => {
                gaps.insert(id);
            }
            "design-input-verified" if msg.starts_with("no verification") => {
                gaps.insert(id);
            }
            "design-input-traced" if id == "DI007" => {
                assert_eq!(msg, "derived design input gives no rationale");
                derived_only_rationale = true;
            }
            "design-input-traced" => {
                gaps.insert(id);
            }
            _ => {}
        }
    }
    let doorstop: BTreeSet<String> = o["by_uid"]
        .as_object()
        .unwrap()
        .iter()
        .filter(|(_, kinds)| {
            kinds.as_array().unwrap().iter().any(|k| {
                matches!(
                    k.as_str(),
                    Some("no links from child document" | "no links to parent document")
                )
            })
        })
        .map(|(uid, _)| uid.clone())
        .collect();
    assert_eq!(gaps, doorstop);
    assert_eq!(
        doorstop,
        BTreeSet::from(["CUS006", "CUS007", "DI006", "TST007"].map(String::from))
    );
    assert!(derived_only_rationale, "DI007 is asked for a rationale");
    // Importing the tree again changes nothing.
    let (code, again, _) = import("doorstop", &tree.join("reqs"), project.path(), &[]);
    assert_eq!(code, 0);
    assert_eq!(again["changed"], serde_json::json!([]));
    assert_eq!(again["files"], serde_json::json!([]));
}

#[test]
fn doorstop_documents_map_to_kinds_by_flag_and_a_wrong_map_is_an_error() {
    let project = empty_project("");
    let tree = tempfile::tempdir().unwrap();
    write(
        tree.path(),
        "spec/.doorstop.yml",
        "settings:\n  prefix: SPEC\n  sep: '-'\n",
    );
    write(
        tree.path(),
        "spec/SPEC-001.yml",
        "active: true\nheader: 风载\ntext: |\n  3.0 kPa\nlevel: 1.0\nlinks: []\npriority: high\n",
    );
    write(
        tree.path(),
        "spec/SPEC-002.yml",
        "active: false\ntext: withdrawn\n",
    );
    write(
        tree.path(),
        "spec/inputs/.doorstop.yml",
        "settings:\n  prefix: IN\n  parent: SPEC\n  itemformat: markdown\n",
    );
    write(
        tree.path(),
        "spec/inputs/IN001.md",
        "---\nactive: true\nderived: false\nlevel: 1.0\nlinks:\n- SPEC-001: null\n---\n\n# Frame sizing\n\nSize the frame for 3.0 kPa.\n",
    );
    let r = run([
        "import".as_ref(),
        "doorstop".as_ref(),
        tree.path().as_os_str(),
        project.path().as_os_str(),
        "--map".as_ref(),
        "SPEC=requirement,IN=design_input".as_ref(),
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stdout
            .contains("1 inactive item skipped (active: false): SPEC-002"),
        "{}",
        r.stdout
    );
    let got = items(project.path());
    assert_eq!(got.len(), 2);
    assert_eq!(
        got["SPEC-001"].1["attributes"]["priority"].as_str(),
        Some("high")
    );
    assert_eq!(s(&got["IN001"].1, "title"), Some("Frame sizing"));
    assert_eq!(list(&got["IN001"].1, "traces"), ["SPEC-001"]);
    let before = crate::support::snapshot_tree(project.path());
    let r = run([
        "import".as_ref(),
        "doorstop".as_ref(),
        tree.path().as_os_str(),
        project.path().as_os_str(),
        "--map".as_ref(),
        "SPC=requirement,IN=design_inptu".as_ref(),
    ]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr
            .contains("--map SPC=requirement: the tree has no document `SPC`"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("did you mean `SPEC`?"), "{}", r.stderr);
    assert!(
        r.stderr.contains("did you mean `design_input`?"),
        "{}",
        r.stderr
    );
    assert_eq!(crate::support::snapshot_tree(project.path()), before);
}

#[test]
fn export_of_one_contract_holds_its_requirements_and_what_traces_to_them() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("con.reqif");
    let loaded = needtrail::load::load(&sample("doors-zh")).unwrap();
    let (p, prof) = (&loaded.project, &loaded.profile);
    let contract = prof.field_index("contract").unwrap();
    let con = p.by_kind[prof.kind_index("contract").unwrap() as usize]
        .first()
        .map(|i| p.item(*i).id.clone())
        .unwrap();
    let r = run([
        "export".as_ref(),
        "reqif".as_ref(),
        sample("doors-zh").as_os_str(),
        "--out".as_ref(),
        out.as_os_str(),
        "--contract".as_ref(),
        con.as_ref(),
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let ids = identifiers(&out);
    let reqs: BTreeSet<String> = p.by_kind[prof.kind_index("requirement").unwrap() as usize]
        .iter()
        .map(|i| p.item(*i))
        .filter(|i| {
            i.links
                .iter()
                .any(|l| l.field == contract && p.item(l.target).id == con)
        })
        .map(|i| i.id.clone())
        .collect();
    assert!(!reqs.is_empty());
    let exported_reqs: BTreeSet<String> = ids
        .keys()
        .filter(|id| id.starts_with("REQ-"))
        .cloned()
        .collect();
    assert_eq!(exported_reqs, reqs);
    assert!(ids.keys().any(|id| id.starts_with("DI-")), "{ids:?}");
    let r = run([
        "export".as_ref(),
        "reqif".as_ref(),
        sample("doors-zh").as_os_str(),
        "--out".as_ref(),
        dir.path().join("x.reqif").as_os_str(),
        "--contract".as_ref(),
        format!("{con}x").as_ref(),
    ]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains(&format!("did you mean `{con}`?")),
        "{}",
        r.stderr
    );
}

#[test]
fn a_relation_type_can_point_from_the_upstream_object() {
    let project = empty_project(
        "\n[import.reqif.relations]\nrefines = { field = \"refines\", reverse = true }\n",
    );
    let vendor = fixture("interchange/vendor.reqif");
    let (code, _, stderr) = import("reqif", &vendor, project.path(), &[]);
    assert_eq!(code, 0, "{stderr}");
    let got = items(project.path());
    assert_eq!(list(&got["CSR-101"].1, "refines"), ["CSR-102"]);
    assert!(got["CSR-102"].1.get("refines").is_none());
    let bad = empty_project("\n[import.reqif.relations]\nrefines = { fild = \"refines\" }\n");
    let (code, _, stderr) = import("reqif", &vendor, bad.path(), &[]);
    assert_eq!(code, 2);
    assert!(
        stderr.contains(
            "needtrail.toml:6:13: unknown key `fild` in [import.reqif.relations.refines]"
        ),
        "{stderr}"
    );
    assert!(stderr.contains("did you mean `field`?"), "{stderr}");
}

#[test]
fn a_revised_reqif_file_updates_reports_removed_and_prunes() {
    let project = empty_project("");
    let vendor = fixture("interchange/vendor.reqif");
    let (code, _, stderr) = import("reqif", &vendor, project.path(), &[]);
    assert_eq!(code, 0, "{stderr}");
    // The customer drops _o5 and renames CSR-102.
    let text = fs::read_to_string(&vendor).unwrap();
    let start = text.find(r#"<reqif:SPEC-OBJECT IDENTIFIER="_o5""#).unwrap();
    let end =
        start + text[start..].find("</reqif:SPEC-OBJECT>").unwrap() + "</reqif:SPEC-OBJECT>".len();
    let revised = format!("{}{}", &text[..start], &text[end..]).replace(
        "THE-VALUE=\"Salt spray\"",
        "THE-VALUE=\"Neutral salt spray\"",
    );
    let elsewhere = tempfile::tempdir().unwrap();
    let file = elsewhere.path().join("vendor.reqif");
    fs::write(&file, revised).unwrap();
    let (code, summary, stderr) = import("reqif", &file, project.path(), &[]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(summary["added"], serde_json::json!([]));
    assert_eq!(
        summary["changed"],
        serde_json::json!([{"id": "CSR-102", "fields": ["title"]}])
    );
    assert_eq!(summary["removed"], serde_json::json!(["_o5"]));
    assert!(items(project.path()).contains_key("_o5"));
    let (code, summary, stderr) = import("reqif", &file, project.path(), &["--prune"]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(summary["pruned"], serde_json::json!(["_o5"]));
    let got = items(project.path());
    assert!(!got.contains_key("_o5"));
    assert_eq!(s(&got["CSR-102"].1, "title"), Some("Neutral salt spray"));
}

#[test]
fn an_id_given_twice_names_the_object_that_gave_it_first_and_nothing_is_written() {
    let project = empty_project("");
    let vendor = fs::read_to_string(fixture("interchange/vendor.reqif")).unwrap();
    let twice = vendor.replace("THE-VALUE=\"CSR-102\"", "THE-VALUE=\"CSR-101\"");
    assert_ne!(twice, vendor);
    write(project.path(), "in/twice.reqif", &twice);
    let (code, _, stderr) = import(
        "reqif",
        &project.path().join("in/twice.reqif"),
        project.path(),
        &[],
    );
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains("SPEC-OBJECT _o4: the id `CSR-101` is given twice; first at"),
        "{stderr}"
    );
    assert!(stderr.contains("SPEC-OBJECT _o3"), "{stderr}");
    assert!(!project.path().join("reqif").exists());
}

/// A DOORS module numbers its objects (ReqIF.ForeignID is an INTEGER):
/// `id_prefix` makes those numbers readable ids, in the links and
/// sections too; values a field cannot hold are reported, not dropped
/// silently; a prefix that cannot begin an id is an error with its place.
#[test]
fn doors_object_numbers_become_ids_with_the_mappings_prefix() {
    let project = empty_project("\n[import.reqif]\nid_prefix = \"SRS-\"\n");
    let doors = fixture("interchange/doors-numbers.reqif");
    let r = run([
        "import".as_ref(),
        "reqif".as_ref(),
        doors.as_os_str(),
        project.path().as_os_str(),
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    for note in [
        "attribute `Tolerance`: `INF` is not a finite number",
        "attribute `Big`: `123456789012345678901234567890` is not an integer",
        "SPEC-RELATION _r2 `Link` SRS-3 → _oMissing not imported",
    ] {
        assert!(r.stdout.contains(note), "{note}\n{}", r.stdout);
    }
    let got = items(project.path());
    assert_eq!(
        got.keys().collect::<Vec<_>>(),
        ["SRS-2", "SRS-3", "SRS-_o5"],
        "the heading and the object without text are not items"
    );
    let (srs2, srs3) = (&got["SRS-2"].1, &got["SRS-3"].1);
    assert_eq!(
        s(srs2, "text"),
        Some("The ECU shall start within 200 ms.\nSecond line & more.")
    );
    assert_eq!(s(srs2, "reqif_id"), Some("_o2"));
    assert_eq!(list(srs3, "refines"), ["SRS-2"]);
    assert_eq!(s(srs3, "section"), Some("Introduction / SRS-2"));
    let attrs = srs3["attributes"].as_table().unwrap();
    assert_eq!(attrs["Tolerance"].as_float(), Some(-0.0015));
    assert_eq!(attrs["Safety"].as_bool(), Some(false));
    // The project checks clean of input errors with what was written.
    let check = run(["check".as_ref(), project.path().as_os_str()]);
    assert!(check.code < 2, "{}", check.stderr);

    let bad = empty_project("\n[import.reqif]\nid_prefix = \"S RS\"\n");
    let before = crate::support::snapshot_tree(bad.path());
    let r = run([
        "import".as_ref(),
        "reqif".as_ref(),
        doors.as_os_str(),
        bad.path().as_os_str(),
    ]);
    assert_eq!(r.code, 2, "{}", r.stdout);
    assert!(
        r.stderr
            .contains("needtrail.toml:6:13: `S RS` cannot begin an id"),
        "{}",
        r.stderr
    );
    assert_eq!(crate::support::snapshot_tree(bad.path()), before);
}

#[test]
fn each_doors_module_imports_through_a_mapping_of_its_own() {
    // Two DOORS modules both number their objects 1, 2, 3…: each is
    // imported by a mapping of its own name with its own prefix, here
    // into the same file, and neither import takes the other's items as
    // its own (to report as removed, or to prune).
    let project = empty_project(
        "\n[import.cus]\nid_prefix = \"CUS-\"\n\n[import.sys]\nid_prefix = \"SYS-\"\n",
    );
    let doors = fixture("interchange/doors-numbers.reqif");
    let dir = project.path();
    for name in ["cus", "sys"] {
        let (code, json, err) = import(name, &doors, dir, &[]);
        assert_eq!(code, 0, "{name}: {err}");
        assert_eq!(json["added"].as_array().unwrap().len(), 3, "{name}: {json}");
        assert_eq!(json["removed"], serde_json::json!([]), "{name}: {json}");
    }
    let got = items(dir);
    assert_eq!(
        got.keys().collect::<Vec<_>>(),
        ["CUS-2", "CUS-3", "CUS-_o5", "SYS-2", "SYS-3", "SYS-_o5"]
    );
    assert_eq!(list(&got["CUS-3"].1, "refines"), ["CUS-2"]);
    assert_eq!(list(&got["SYS-3"].1, "refines"), ["SYS-2"]);
    let text = fs::read_to_string(dir.join("reqif/doors-numbers.toml")).unwrap();
    assert!(
        text.starts_with("# Imported from doors-numbers.reqif by `needtrail import cus`"),
        "{text}"
    );
    // Again, with --prune: nothing changes, nothing is removed.
    let before = crate::support::snapshot_tree(dir);
    for name in ["cus", "sys"] {
        let (code, json, err) = import(name, &doors, dir, &["--prune"]);
        assert_eq!(code, 0, "{name}: {err}");
        assert_eq!(json["unchanged"], 3, "{name}: {json}");
        assert_eq!(json["removed"], serde_json::json!([]), "{name}: {json}");
        assert_eq!(json["pruned"], serde_json::json!([]), "{name}: {json}");
    }
    assert_eq!(crate::support::snapshot_tree(dir), before);
    let check = run(["check".as_ref(), dir.as_os_str()]);
    assert!(check.code < 2, "{}", check.stderr);
    // A misspelt mapping name gets the one it was likely meant to be.
    let (code, _, err) = import("syss", &doors, dir, &[]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("no mapping `syss` in [import] for the ReqIF file")
            && err.contains("did you mean `sys`?"),
        "{err}"
    );
    assert_eq!(crate::support::snapshot_tree(dir), before);

    // A sheet's mapping given a ReqIF file says so; a mapping that is not
    // there is named; neither writes anything.
    let sheet = empty_project("\n[import.csr]\nsheet = \"要求\"\nheader_row = 2\n");
    let before = crate::support::snapshot_tree(sheet.path());
    let (code, _, err) = import("csr", &doors, sheet.path(), &[]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("needtrail.toml:6:1: unknown key `sheet` in [import.csr]")
            && err.contains("the file given is a ReqIF file"),
        "{err}"
    );
    let (code, _, err) = import("srs", &doors, sheet.path(), &[]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("no mapping `srs` in [import] for the ReqIF file"),
        "{err}"
    );
    assert_eq!(crate::support::snapshot_tree(sheet.path()), before);
}

/// `vendor.reqif` without the SPEC-RELATION `identifier`.
fn without_relation(text: &str, identifier: &str) -> String {
    let open = format!(r#"<reqif:SPEC-RELATION IDENTIFIER="{identifier}""#);
    let start = text.find(&open).unwrap();
    let close = "</reqif:SPEC-RELATION>";
    let end = start + text[start..].find(close).unwrap() + close.len();
    format!("{}{}", &text[..start], &text[end..])
}

#[test]
fn a_relation_the_customer_removed_removes_its_link() {
    let project = empty_project("");
    let dir = project.path();
    let vendor = fixture("interchange/vendor.reqif");
    let (code, _, stderr) = import("reqif", &vendor, dir, &[]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(list(&items(dir)["CSR-102"].1, "refines"), ["CSR-101"]);
    // Its only `refines` relation removed (the type still declared): the
    // link goes, and the import says so.
    let text = fs::read_to_string(&vendor).unwrap();
    let elsewhere = tempfile::tempdir().unwrap();
    let file = elsewhere.path().join("vendor.reqif");
    fs::write(&file, without_relation(&text, "_r1")).unwrap();
    let (code, summary, stderr) = import("reqif", &file, dir, &[]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(
        summary["changed"],
        serde_json::json!([{"id": "CSR-102", "fields": ["refines"]}])
    );
    let got = items(dir);
    assert!(
        !got["CSR-102"].1.contains_key("refines"),
        "{:?}",
        got["CSR-102"]
    );
    // Back again: the link comes back; the same file twice changes nothing.
    for expected in [1, 0] {
        let (code, summary, stderr) = import("reqif", &vendor, dir, &[]);
        assert_eq!(code, 0, "{stderr}");
        assert_eq!(
            summary["changed"].as_array().unwrap().len(),
            expected,
            "{summary}"
        );
    }
    assert_eq!(list(&items(dir)["CSR-102"].1, "refines"), ["CSR-101"]);
}

#[test]
fn a_reqif_file_that_would_lose_or_overflow_is_refused_at_its_place() {
    let project = empty_project("");
    let dir = project.path();
    let vendor = fs::read_to_string(fixture("interchange/vendor.reqif")).unwrap();
    let refused = |name: &str, text: &[u8], expected: &str| {
        let file = dir.join("in").join(name);
        fs::create_dir_all(file.parent().unwrap()).unwrap();
        fs::write(&file, text).unwrap();
        let (code, _, stderr) = import("reqif", &file, dir, &[]);
        assert_eq!(code, 2, "{name}: {stderr}");
        assert!(stderr.contains(expected), "{name}: {stderr}");
        assert!(!stderr.contains("panicked"), "{stderr}");
        assert!(!dir.join("reqif").exists(), "{name}: written");
    };
    // Two objects with one IDENTIFIER: one of them would be lost.
    let twice = vendor.replace(
        r#"SPEC-OBJECT IDENTIFIER="_o4""#,
        r#"SPEC-OBJECT IDENTIFIER="_o3""#,
    );
    let line = twice[..twice.find(r#"SPEC-OBJECT IDENTIFIER="_o3""#).unwrap()]
        .matches('\n')
        .count();
    let second = twice.rfind(r#"SPEC-OBJECT IDENTIFIER="_o3""#).unwrap();
    let second_line = twice[..second].matches('\n').count() + 1;
    assert!(second_line > line + 1);
    refused(
        "twice.reqif",
        twice.as_bytes(),
        &format!("twice.reqif:{second_line}:"),
    );
    refused(
        "twice.reqif",
        twice.as_bytes(),
        "a second SPEC-OBJECT with the IDENTIFIER `_o3`",
    );
    // Broken XHTML in a value: its line, and how to write it.
    let amp = vendor.replacen("&amp;", "&", 1);
    assert_ne!(amp, vendor);
    let amp_line = amp[..amp.find(" & ").or_else(|| amp.find('&')).unwrap()]
        .matches('\n')
        .count()
        + 1;
    refused(
        "amp.reqif",
        amp.as_bytes(),
        &format!("amp.reqif:{amp_line}:"),
    );
    refused("amp.reqif", amp.as_bytes(), "write `&amp;` for `&`");
    // Two files of one archive giving one IDENTIFIER to two objects.
    let mut two = std::io::Cursor::new(Vec::new());
    {
        let mut zip = zip::ZipWriter::new(&mut two);
        for (name, text) in [
            ("a.reqif", vendor.clone()),
            (
                "b.reqif",
                vendor.replace("THE-VALUE=\"CSR-", "THE-VALUE=\"CSS-"),
            ),
        ] {
            zip.start_file(name, zip::write::SimpleFileOptions::default())
                .unwrap();
            std::io::Write::write_all(&mut zip, text.as_bytes()).unwrap();
        }
        zip.finish().unwrap();
    }
    refused(
        "two.reqifz",
        two.get_ref(),
        "is given to an object of another file of the archive too",
    );
    // Saved in GBK: where, and what to do.
    let (gbk, _, _) = encoding_rs::GBK.encode(&vendor);
    refused("gbk.reqif", &gbk, "the text is not UTF-8");
    refused("gbk.reqif", &gbk, "export the file again as UTF-8");
    // Headings nested thousands deep.
    let mut deep = String::from(
        r#"<REQ-IF xmlns="http://www.omg.org/spec/ReqIF/20110401/reqif.xsd"><CORE-CONTENT><REQ-IF-CONTENT><SPECIFICATIONS><SPECIFICATION IDENTIFIER="s"><CHILDREN>"#,
    );
    for i in 0..5000 {
        deep.push_str(&format!(r#"<SPEC-HIERARCHY IDENTIFIER="h{i}"><CHILDREN>"#));
    }
    for _ in 0..5000 {
        deep.push_str("</CHILDREN></SPEC-HIERARCHY>");
    }
    deep.push_str(
        "</CHILDREN></SPECIFICATION></SPECIFICATIONS></REQ-IF-CONTENT></CORE-CONTENT></REQ-IF>",
    );
    refused(
        "deep.reqif",
        deep.as_bytes(),
        "SPEC-HIERARCHY nested more than",
    );
    // Cut short between two tags, at every place between the objects and
    // the end: what was read would otherwise look whole, and what was cut
    // off would be reported removed (and pruned).
    let objects_end = vendor.find("</reqif:SPEC-OBJECTS>").unwrap();
    let mut cuts = 0;
    for (at, _) in vendor
        .match_indices(">\n")
        .filter(|(at, _)| *at > objects_end)
    {
        let cut = &vendor[..at + 2];
        if cut.trim_end().ends_with("</reqif:REQ-IF>") {
            continue;
        }
        refused("cut.reqif", cut.as_bytes(), "it looks cut short");
        cuts += 1;
    }
    assert!(cuts > 5, "{cuts}");
    let cut = &vendor[..vendor.find("<reqif:SPEC-OBJECT ").unwrap()];
    refused(
        "cut.reqif",
        cut.as_bytes(),
        &format!("cut.reqif:{}:", cut.matches('\n').count() + 1),
    );
    // Two files joined into one, or anything after the end.
    for after in [
        vendor.clone(),
        "<extra/>".to_owned(),
        "stray text".to_owned(),
    ] {
        refused(
            "joined.reqif",
            format!("{vendor}{after}").as_bytes(),
            "content after the end of the REQ-IF element",
        );
    }
    // A zip bomb: 100 MB of spaces in a comment packs to about 100 KB.
    let bomb = vendor.replacen(
        "<reqif:CORE-CONTENT>",
        &format!("<reqif:CORE-CONTENT><!--{}-->", " ".repeat(100 << 20)),
        1,
    );
    let mut packed = std::io::Cursor::new(Vec::new());
    {
        let mut zip = zip::ZipWriter::new(&mut packed);
        zip.start_file(
            "bomb.reqif",
            zip::write::SimpleFileOptions::default()
                .compression_method(zip::CompressionMethod::Deflated),
        )
        .unwrap();
        std::io::Write::write_all(&mut zip, bomb.as_bytes()).unwrap();
        zip.finish().unwrap();
    }
    drop(bomb);
    assert!(packed.get_ref().len() < 1 << 20);
    refused(
        "bomb.reqifz",
        packed.get_ref(),
        "bomb.reqif in the archive unpacks to more than",
    );
    // Whitespace and comments after it are fine.
    let file = dir.join("in/fine.reqif");
    fs::write(&file, format!("{vendor}\n<!-- exported -->\n\n")).unwrap();
    let (code, _, stderr) = import("reqif", &file, dir, &[]);
    assert_eq!(code, 0, "{stderr}");
}

#[cfg(unix)]
#[test]
fn an_import_never_writes_through_a_linked_folder_out_of_the_project() {
    let project = empty_project("");
    let dir = project.path();
    let outside = tempfile::tempdir().unwrap();
    std::os::unix::fs::symlink(outside.path(), dir.join("reqif")).unwrap();
    let (code, _, stderr) = import("reqif", &fixture("interchange/vendor.reqif"), dir, &[]);
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains("`reqif` is a symbolic link") && stderr.contains("nothing was written"),
        "{stderr}"
    );
    assert_eq!(fs::read_dir(outside.path()).unwrap().count(), 0);
}

#[test]
fn an_export_says_what_it_leaves_out() {
    let out = tempfile::tempdir().unwrap();
    let export = |sample_name: &str, extra: &[&str]| {
        let file = out.path().join(format!("{sample_name}.reqifz"));
        let mut args: Vec<std::ffi::OsString> = vec![
            "export".into(),
            "reqif".into(),
            sample(sample_name).into(),
            "--out".into(),
            file.into(),
        ];
        args.extend(extra.iter().map(Into::into));
        let r = run(args);
        assert_eq!(r.code, 0, "{}", r.stderr);
        r.stderr
    };
    let doors = export("doors-zh", &[]);
    for note in [
        "note: not exported: 2 [[design_review.action]] sub-items",
        "note: not exported: the stamps and sign-off fingerprints of 1 item",
    ] {
        assert!(doors.contains(note), "{note}\n{doors}");
    }
    let auto = export("auto-parts-en", &[]);
    for note in [
        "note: not exported: 2 [[objective.measurement]] sub-items",
        "note: not exported: 2 [[customer.evaluation]] sub-items",
        "note: not exported: 3 [[customer.criterion]] sub-items",
    ] {
        assert!(auto.contains(note), "{note}\n{auto}");
    }
    // Requirements alone leave nothing out: no note.
    let plain = export("auto-parts-en", &["--kinds", "requirement"]);
    assert!(!plain.contains("note:"), "{plain}");
}

#[test]
fn a_doorstop_document_under_no_document_is_refused_and_references_are_kept() {
    let project = empty_project("");
    let dir = project.path();
    let tree = tempfile::tempdir().unwrap();
    let t = tree.path();
    doorstop_document(t, "a", "A", None);
    write(
        t,
        "a/A-001.yml",
        "text: 门锁\nlinks: []\nreferences:\n- path: docs/lock.pdf\n  type: file\n- path: src/lock.c\n  type: file\n",
    );
    doorstop_document(t, "a/b", "B", Some("NOPE"));
    write(t, "a/b/B-001.yml", "text: b\nlinks: [A-001]\n");
    let (code, _, stderr) = import("doorstop", t, dir, &[]);
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains("document `B` names the parent `NOPE`, which is no document of the tree"),
        "{stderr}"
    );
    assert!(!dir.join("doorstop").exists());
    // Placed under A: imported, with A-001's references.
    doorstop_document(t, "a/b", "B", Some("A"));
    let (code, _, stderr) = import("doorstop", t, dir, &[]);
    assert_eq!(code, 0, "{stderr}");
    let got = items(dir);
    let refs = got["A-001"].1["attributes"]["references"]
        .as_array()
        .unwrap();
    assert_eq!(
        refs.iter().map(|r| r.as_str().unwrap()).collect::<Vec<_>>(),
        ["docs/lock.pdf", "src/lock.c"]
    );
}

#[test]
fn a_link_the_file_never_made_survives_its_reimport() {
    // CSR-101.1 has no relation in the file; a link written by hand to an
    // item of the project's own stays, re-import after re-import, and so
    // does one to an object of the file the file states itself.
    let project = empty_project("");
    let dir = project.path();
    write(
        dir,
        "requirements/own.toml",
        "[[requirement]]\nid = \"REQ-001\"\ntitle = \"Own\"\nclass = \"organisation\"\n",
    );
    let vendor = fixture("interchange/vendor.reqif");
    let (code, _, stderr) = import("reqif", &vendor, dir, &[]);
    assert_eq!(code, 0, "{stderr}");
    let file = dir.join("reqif/vendor.toml");
    let text = fs::read_to_string(&file).unwrap();
    let at = text.find("id = \"CSR-101.1\"").unwrap();
    let line_end = at + text[at..].find('\n').unwrap() + 1;
    fs::write(
        &file,
        format!(
            "{}refines = [\"REQ-001\"]\n{}",
            &text[..line_end],
            &text[line_end..]
        ),
    )
    .unwrap();
    let (code, summary, stderr) = import("reqif", &vendor, dir, &[]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(summary["changed"], serde_json::json!([]), "{summary}");
    let got = items(dir);
    assert_eq!(list(&got["CSR-101.1"].1, "refines"), ["REQ-001"]);
    assert_eq!(list(&got["CSR-102"].1, "refines"), ["CSR-101"]);
}

#[test]
fn a_doors_heading_is_a_section_whatever_its_objects_type() {
    // DOORS gives every object of a module one type, here named like a
    // kind; its headings have a chapter name and no text.
    let module = fixture("interchange/doors-module.reqif");
    for mapping in [
        "",
        "\n[import.reqif.types]\n\"Requirement\" = \"requirement\"\n",
    ] {
        let project = empty_project(mapping);
        let dir = project.path();
        let (code, json, stderr) = import("reqif", &module, dir, &[]);
        assert_eq!(code, 0, "{mapping}: {stderr}");
        assert_eq!(json["added"], serde_json::json!(["2", "3"]), "{mapping}");
        let got = items(dir);
        assert_eq!(got.keys().collect::<Vec<_>>(), ["2", "3"], "{mapping}");
        for id in ["2", "3"] {
            assert_eq!(got[id].0, "requirement", "{mapping}");
            assert_eq!(s(&got[id].1, "section"), Some("1 范围 Scope"), "{mapping}");
        }
    }
    // Mapped to `heading`, objects with text are headings too.
    let project = empty_project("\n[import.reqif.types]\n\"Requirement\" = \"heading\"\n");
    let (code, json, stderr) = import("reqif", &module, project.path(), &[]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(json["added"], serde_json::json!([]));
}

#[test]
fn a_mappings_kind_is_the_kind_of_a_type_named_like_another_kind() {
    let project = empty_project("\n[import.sys]\nid_prefix = \"SYS-\"\nkind = \"design_input\"\n");
    let dir = project.path();
    let module = fixture("interchange/doors-module.reqif");
    let (code, json, stderr) = import("sys", &module, dir, &[]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(json["added"], serde_json::json!(["SYS-2", "SYS-3"]));
    let got = items(dir);
    for id in ["SYS-2", "SYS-3"] {
        assert_eq!(got[id].0, "design_input", "{:?}", got[id]);
        assert_eq!(s(&got[id].1, "section"), Some("1 范围 Scope"));
    }
    // Without a `kind`, the type's name says the kind.
    let project = empty_project("\n[import.sys]\nid_prefix = \"SYS-\"\n");
    let (code, _, stderr) = import("sys", &module, project.path(), &[]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(items(project.path())["SYS-2"].0, "requirement");
}

#[test]
fn an_unchanged_file_with_dates_imported_again_changes_nothing() {
    let project = empty_project("");
    let dir = project.path();
    let module = fixture("interchange/doors-module.reqif");
    let (code, _, stderr) = import("reqif", &module, dir, &[]);
    assert_eq!(code, 0, "{stderr}");
    let attrs = items(dir)["2"].1["attributes"].as_table().unwrap().clone();
    assert!(attrs["Due"].is_datetime(), "{attrs:?}");
    let before = crate::support::snapshot_tree(dir);
    let (code, json, stderr) = import("reqif", &module, dir, &[]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(json["changed"], serde_json::json!([]), "{json}");
    assert_eq!(json["files"], serde_json::json!([]), "{json}");
    assert_eq!(crate::support::snapshot_tree(dir), before);
}

#[test]
fn entries_written_by_hand_in_attributes_survive_a_reimport() {
    let project = empty_project("");
    let dir = project.path();
    let module = fixture("interchange/doors-module.reqif");
    let (code, _, stderr) = import("reqif", &module, dir, &[]);
    assert_eq!(code, 0, "{stderr}");
    let file = dir.join("reqif/doors-module.toml");
    let text = fs::read_to_string(&file).unwrap();
    let from = "Supplier = \"华为 Huawei\" }";
    assert!(text.contains(from), "{text}");
    write(
        dir,
        "reqif/doors-module.toml",
        &text.replace(
            from,
            "Supplier = \"华为 Huawei\", \"我的备注\" = \"ask 王工\", Rank = 3 }",
        ),
    );
    // The same file: nothing changes.
    let (code, json, stderr) = import("reqif", &module, dir, &[]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(json["changed"], serde_json::json!([]), "{json}");
    // The customer dropped the supplier: that entry goes, the hand-written
    // ones stay, with their types.
    let revised = tempfile::tempdir().unwrap();
    let changed = revised.path().join("doors-module.reqif");
    let xml = fs::read_to_string(&module).unwrap();
    let value = r#"<ATTRIBUTE-VALUE-STRING THE-VALUE="华为 Huawei"><DEFINITION><ATTRIBUTE-DEFINITION-STRING-REF>_adSupplier</ATTRIBUTE-DEFINITION-STRING-REF></DEFINITION></ATTRIBUTE-VALUE-STRING>"#;
    assert!(xml.contains(value));
    fs::write(&changed, xml.replace(value, "")).unwrap();
    let (code, json, stderr) = import("reqif", &changed, dir, &[]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(
        json["changed"],
        serde_json::json!([{"id": "2", "fields": ["attributes"]}])
    );
    let attrs = items(dir)["2"].1["attributes"].as_table().unwrap().clone();
    assert_eq!(
        attrs.keys().collect::<Vec<_>>(),
        ["Due", "Rank", "我的备注"],
        "{attrs:?}"
    );
    assert_eq!(attrs["Rank"].as_integer(), Some(3));
    assert_eq!(attrs["我的备注"].as_str(), Some("ask 王工"));
}

#[test]
fn an_object_inside_another_is_one_mark_in_the_text() {
    // DOORS writes an OLE object with a picture of it inside.
    let project = empty_project("");
    let dir = project.path();
    let (code, _, stderr) = import(
        "reqif",
        &fixture("interchange/doors-module.reqif"),
        dir,
        &[],
    );
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(
        s(&items(dir)["2"].1, "text"),
        Some("The lock shall open within 1 s.\n[object: files/lock.png]")
    );
}

#[test]
fn a_misspelt_heading_in_types_gets_a_did_you_mean() {
    let project = empty_project("\n[import.reqif.types]\n\"Requirement\" = \"headng\"\n");
    let before = crate::support::snapshot_tree(project.path());
    let module = fixture("interchange/doors-module.reqif");
    let (code, _, stderr) = import("reqif", &module, project.path(), &[]);
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains("needtrail.toml:6:17: no kind `headng`")
            && stderr.contains("did you mean `heading`?"),
        "{stderr}"
    );
    assert_eq!(crate::support::snapshot_tree(project.path()), before);
}

#[test]
fn the_last_relation_of_a_type_named_like_no_field_removed_removes_its_link() {
    // `Satisfies` fills `refines`, the one link field between two
    // requirements; the revised file declares the type but has no
    // relation of it left.
    let project = empty_project("");
    let dir = project.path();
    let module = fixture("interchange/doors-module.reqif");
    let (code, _, stderr) = import("reqif", &module, dir, &[]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(list(&items(dir)["3"].1, "refines"), ["2"]);
    let xml = fs::read_to_string(&module).unwrap();
    let start = xml.find("<SPEC-RELATION IDENTIFIER=\"_r1\">").unwrap();
    let end = xml.find("</SPEC-RELATION>").unwrap() + "</SPEC-RELATION>".len();
    let revised = tempfile::tempdir().unwrap();
    let file = revised.path().join("doors-module.reqif");
    fs::write(&file, format!("{}{}", &xml[..start], &xml[end..])).unwrap();
    let (code, json, stderr) = import("reqif", &file, dir, &[]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(
        json["changed"],
        serde_json::json!([{"id": "3", "fields": ["refines"]}])
    );
    assert!(!items(dir)["3"].1.contains_key("refines"));
}

#[test]
fn a_module_given_a_kind_imports_its_objects_without_text_as_items_of_it() {
    // needtrail's own export writes items without a text (a customer, a
    // title-only requirement) as objects without ReqIF.Text: under a
    // mapping's `kind` they are items, not headings dropped as such.
    let source = tempfile::tempdir().unwrap();
    let src = source.path().join("src");
    assert_eq!(
        run(["init".as_ref(), src.as_os_str()]).code,
        0,
        "init failed"
    );
    let out = source.path().join("out.reqif");
    let r = run([
        "export".as_ref(),
        "reqif".as_ref(),
        "--out".as_ref(),
        out.as_os_str(),
        src.as_os_str(),
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let objects = fs::read_to_string(&out)
        .unwrap()
        .matches("<SPEC-OBJECT ")
        .count();
    let project = empty_project("\n[import.reqif]\nkind = \"requirement\"\n");
    let (code, json, stderr) = import("reqif", &out, project.path(), &[]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(json["added"].as_array().unwrap().len(), objects, "{json}");
    assert!(!stderr.contains("it is a heading"), "{stderr}");
}

#[test]
fn padding_after_the_end_of_a_reqif_file_is_not_content() {
    let project = empty_project("");
    let dir = project.path();
    let vendor = fs::read_to_string(fixture("interchange/vendor.reqif")).unwrap();
    let file = dir.join("in/padded.reqif");
    fs::create_dir_all(file.parent().unwrap()).unwrap();
    fs::write(&file, format!("{vendor}\0\0\0\u{1a}")).unwrap();
    let (code, _, stderr) = import("reqif", &file, dir, &[]);
    assert_eq!(code, 0, "{stderr}");
}

#[test]
fn entries_written_by_hand_in_a_doorstop_items_attributes_survive_a_reimport() {
    let project = empty_project("");
    let dir = project.path();
    let tree = tempfile::tempdir().unwrap();
    let t = tree.path();
    doorstop_document(t, "a", "A", None);
    write(
        t,
        "a/A-001.yml",
        "text: 门锁\nlinks: []\nlevel: 1.1\nsupplier: 华安\n",
    );
    write(
        t,
        "a/A-002.yml",
        "text: 铰链\nlinks: []\nlevel: 1.2\nsupplier: 坚朗\n",
    );
    let (code, _, stderr) = import("doorstop", t, dir, &[]);
    assert_eq!(code, 0, "{stderr}");
    // A note of the team's own, with its type, beside the tree's.
    let file = dir.join("doorstop/a.toml");
    let text = fs::read_to_string(&file).unwrap();
    let table = text.find("attributes = {").expect(&text);
    let mut edited = text.clone();
    edited.insert_str(
        table + "attributes = {".len(),
        " rank = 3, \"备注\" = \"复核\",",
    );
    fs::write(&file, &edited).unwrap();
    let (code, json, stderr) = import("doorstop", t, dir, &[]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(json["changed"], serde_json::json!([]), "{json}");
    // The tree's own entry changes; the hand-written ones stay, typed.
    write(
        t,
        "a/A-001.yml",
        "text: 门锁\nlinks: []\nlevel: 1.1\nsupplier: 华安二厂\n",
    );
    let (code, json, stderr) = import("doorstop", t, dir, &[]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(
        json["changed"],
        serde_json::json!([{"id": "A-001", "fields": ["attributes"]}])
    );
    let got = items(dir);
    let attributes = got["A-001"].1["attributes"].as_table().unwrap();
    assert_eq!(attributes["supplier"].as_str(), Some("华安二厂"));
    assert_eq!(attributes["rank"].as_integer(), Some(3));
    assert_eq!(attributes["备注"].as_str(), Some("复核"));
    // An entry the tree still gives other items, gone from this one, goes.
    write(t, "a/A-001.yml", "text: 门锁\nlinks: []\nlevel: 1.1\n");
    let (code, _, stderr) = import("doorstop", t, dir, &[]);
    assert_eq!(code, 0, "{stderr}");
    let got = items(dir);
    let attributes = got["A-001"].1["attributes"].as_table().unwrap();
    assert!(!attributes.contains_key("supplier"), "{attributes:?}");
    assert_eq!(attributes["rank"].as_integer(), Some(3));
}
