//! `import junit` on results files as test runs leave them: cut short by a
//! killed runner, empty, not JUnit at all, in GBK or UTF-16, from files
//! whose names start alike, with suite properties after the cases, with an
//! id written right after Chinese text. A failure is never lost, a file
//! never takes another file's verifications, and what names no item is
//! said in the text summary too.

use std::path::Path;

use crate::support::*;

fn project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "needtrail.toml",
        "[project]\nname = \"junit\"\n",
    );
    let mut design = String::new();
    for (id, title) in [
        ("DI-004", "Salt spray 480 h"),
        ("DI-005", "Wind load"),
        ("DI-006", "Seal"),
    ] {
        design.push_str(&format!(
            "[[design_input]]\nid = \"{id}\"\ntitle = \"{title}\"\nderived = true\nrationale = \"r\"\n\n"
        ));
    }
    write(dir.path(), "design.toml", &design);
    dir
}

fn import(root: &Path, files: &[&str], extra: &[&str]) -> Run {
    let mut args: Vec<std::ffi::OsString> = vec!["import".into(), "junit".into()];
    args.extend(files.iter().map(|f| root.join(f).into_os_string()));
    args.push(root.into());
    args.extend(extra.iter().map(|a| a.into()));
    run(args)
}

fn results(root: &Path) -> toml::Table {
    std::fs::read_to_string(root.join("verification/test-results.toml"))
        .unwrap()
        .parse()
        .unwrap()
}

/// The result of each verification, by id.
fn outcomes(root: &Path) -> Vec<(String, String)> {
    results(root)["verification"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| {
            (
                v["id"].as_str().unwrap().to_owned(),
                v["result"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

const GTEST: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<testsuites tests="2" failures="1" disabled="0" errors="0" time="0.01" timestamp="2026-03-06T09:00:00.000" name="AllTests">
  <testsuite name="WindTest" tests="2" failures="1" disabled="0" skipped="0" errors="0" time="0">
    <testcase name="DI005WindLoad" status="run" result="completed" time="0" classname="WindTest" />
    <testcase name="DI005WindLoadEdges" status="run" result="completed" time="0" classname="WindTest">
      <failure message="expected 2.5 kPa" type=""><![CDATA[wind_test.cc:40]]></failure>
    </testcase>
  </testsuite>
</testsuites>
"#;

#[test]
fn a_results_file_cut_short_is_refused_and_never_turns_a_failure_into_a_pass() {
    let dir = project();
    let root = dir.path();
    // A runner killed right after writing the failure.
    let cut = &GTEST[..GTEST.find("</failure>").unwrap() + "</failure>\n".len()];
    write(root, "gtest.xml", cut);
    let before = snapshot_tree(root);
    let r = import(root, &["gtest.xml"], &[]);
    assert_eq!(r.code, 2, "{}\n{}", r.stdout, r.stderr);
    assert!(r.stderr.contains("it looks cut short"), "{}", r.stderr);
    let lines = cut.lines().count();
    assert!(
        r.stderr.contains(&format!("gtest.xml:{}:", lines + 1))
            || r.stderr.contains(&format!("gtest.xml:{lines}:")),
        "{}",
        r.stderr
    );
    assert!(snapshot_tree(root) == before, "written");
    // Whole, the failure counts.
    write(root, "gtest.xml", GTEST);
    let r = import(root, &["gtest.xml"], &[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(
        outcomes(root),
        [("TEST-gtest-DI-005".to_owned(), "fail".to_owned())]
    );
}

#[test]
fn an_empty_file_or_other_xml_is_refused_and_nothing_is_pruned() {
    let dir = project();
    let root = dir.path();
    write(root, "gtest.xml", GTEST);
    assert_eq!(import(root, &["gtest.xml"], &[]).code, 0);
    for (text, expected) in [
        ("", "holds no XML element"),
        ("   \n", "holds no XML element"),
        (
            "<?xml version=\"1.0\"?>\n<failsafe-summary result=\"255\"/>\n",
            "gtest.xml:2:1: not JUnit XML: the root element is <failsafe-summary>",
        ),
        (
            "<project><modelVersion>4.0.0</modelVersion></project>",
            "the root element is <project>",
        ),
        ("{\"tests\": []}", "gtest.xml:1:1:"),
    ] {
        write(root, "gtest.xml", text);
        let before = snapshot_tree(root);
        let r = import(root, &["gtest.xml"], &["--prune"]);
        assert_eq!(r.code, 2, "{text:?}: {}", r.stdout);
        assert!(r.stderr.contains(expected), "{text:?}: {}", r.stderr);
        assert!(snapshot_tree(root) == before, "{text:?}: written");
    }
}

#[test]
fn a_file_owns_only_the_verifications_it_made_not_those_of_a_file_named_like_it() {
    let dir = project();
    let root = dir.path();
    write(
        root,
        "pytest-unit.xml",
        r#"<testsuite name="unit"><testcase classname="t" name="test_DI_004_salt"/></testsuite>"#,
    );
    write(
        root,
        "pytest.xml",
        r#"<testsuite name="all"><testcase classname="t" name="test_DI_005_wind"/></testsuite>"#,
    );
    assert_eq!(import(root, &["pytest-unit.xml"], &[]).code, 0);
    let r = import(root, &["pytest.xml"], &["--prune", "--format", "json"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.json()["removed"], serde_json::json!([]));
    assert_eq!(r.json()["pruned"], serde_json::json!([]));
    let ids: Vec<String> = outcomes(root).into_iter().map(|(id, _)| id).collect();
    assert_eq!(ids, ["TEST-pytest-unit-DI-004", "TEST-pytest-DI-005"]);
    // A test gone from its own file is still reported and pruned.
    write(
        root,
        "pytest.xml",
        r#"<testsuite name="all"><testcase classname="t" name="test_DI_006_seal"/></testsuite>"#,
    );
    let r = import(root, &["pytest.xml"], &["--prune", "--format", "json"]);
    assert_eq!(
        r.json()["pruned"],
        serde_json::json!(["TEST-pytest-DI-005"])
    );
    // With the file's name after the item, the same holds.
    write(
        root,
        "needtrail.toml",
        "[project]\nname = \"junit\"\n\n[import.junit]\nfile = \"verification/after.toml\"\nid = \"{item}-{file}\"\n",
    );
    assert_eq!(import(root, &["pytest-unit.xml"], &[]).code, 0);
    let r = import(root, &["pytest.xml"], &["--prune", "--format", "json"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.json()["added"], serde_json::json!(["DI-006-pytest"]));
    assert_eq!(r.json()["pruned"], serde_json::json!([]));
}

#[test]
fn results_in_gbk_or_utf16_read_as_their_tests_are_named() {
    let dir = project();
    let root = dir.path();
    let xml = "<?xml version=\"1.0\" encoding=\"GBK\"?>\n<testsuite name=\"门窗测试\"><testcase classname=\"门窗\" name=\"盐雾试验_DI_004\"/></testsuite>\n";
    let (gbk, _, _) = encoding_rs::GBK.encode(xml);
    std::fs::write(root.join("gbk.xml"), &gbk).unwrap();
    let r = import(root, &["gbk.xml"], &[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let evidence = results(root)["verification"][0]["evidence"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(evidence, "gbk.xml, suite 门窗测试: 盐雾试验_DI_004");
    // UTF-16 with its byte-order mark, as PowerShell writes files.
    let utf16 = "\u{feff}<?xml version=\"1.0\" encoding=\"utf-16\"?>\n<testsuite name=\"风压\"><testcase classname=\"w\" name=\"test_DI_005\"/></testsuite>\n";
    let bytes: Vec<u8> = utf16.encode_utf16().flat_map(u16::to_le_bytes).collect();
    std::fs::write(root.join("ps.xml"), bytes).unwrap();
    let r = import(root, &["ps.xml"], &[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        outcomes(root).contains(&("TEST-ps-DI-005".to_owned(), "pass".to_owned())),
        "{:?}",
        outcomes(root)
    );
    // Not UTF-8 and no declaration says otherwise: refused, not garbled.
    let (raw, _, _) = encoding_rs::GBK.encode(
        "<testsuite name=\"门窗\"><testcase classname=\"门窗\" name=\"盐雾_DI_006\"/></testsuite>",
    );
    std::fs::write(root.join("raw.xml"), &raw).unwrap();
    let r = import(root, &["raw.xml"], &[]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("not UTF-8 text"), "{}", r.stderr);
}

#[test]
fn a_suite_property_after_the_cases_and_an_id_after_chinese_text_name_their_items() {
    let dir = project();
    let root = dir.path();
    // Robot Framework's xunit output puts a suite's metadata last.
    write(
        root,
        "robot.xml",
        r#"<?xml version="1.0" encoding="UTF-8"?>
<testsuite name="Seal" tests="1" errors="0" failures="1" skipped="0" time="1.0" timestamp="2026-03-08T10:00:00.000">
<testcase classname="Seal" name="Seal holds water" time="0.5"><failure message="leak">leak at 600 Pa</failure></testcase>
<properties><property name="verifies" value="DI-006"/></properties>
</testsuite>
"#,
    );
    // JUnit 5 display names in Chinese with the id right after them.
    write(
        root,
        "cjk.xml",
        r#"<testsuite name="门窗"><testcase classname="门窗" name="盐雾试验DI-004"><failure message="锈蚀"/></testcase><testcase classname="门窗" name="抗风压DI005测试"/><testcase classname="门窗" name="登录测试"/></testsuite>"#,
    );
    let r = import(root, &["robot.xml", "cjk.xml"], &[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(
        outcomes(root),
        [
            ("TEST-robot-DI-006".to_owned(), "fail".to_owned()),
            ("TEST-cjk-DI-004".to_owned(), "fail".to_owned()),
            ("TEST-cjk-DI-005".to_owned(), "pass".to_owned()),
        ]
    );
    // The test that names nothing is said in text as in JSON.
    assert!(
        r.stdout.contains("unmatched 1 (tests that name no item")
            && r.stdout.contains("cjk.xml: 门窗.登录测试"),
        "{}",
        r.stdout
    );
}

#[test]
fn a_verification_whose_link_was_edited_by_hand_is_still_its_files() {
    let dir = project();
    let root = dir.path();
    write(
        root,
        "pytest.xml",
        r#"<testsuite name="all"><testcase classname="t" name="test_DI_004_salt"/><testcase classname="t" name="test_DI_005_wind"/></testsuite>"#,
    );
    assert_eq!(import(root, &["pytest.xml"], &[]).code, 0);
    let file = root.join("verification/test-results.toml");
    let text = std::fs::read_to_string(&file).unwrap();
    let edited = text.replacen("verifies = [\"DI-004\"]", "verifies = [\"DI-006\"]", 1);
    assert_ne!(edited, text);
    std::fs::write(&file, edited).unwrap();
    write(
        root,
        "pytest.xml",
        r#"<testsuite name="all"><testcase classname="t" name="test_DI_005_wind"/></testsuite>"#,
    );
    let r = import(root, &["pytest.xml"], &["--format", "json"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(
        r.json()["removed"],
        serde_json::json!(["TEST-pytest-DI-004"])
    );
}

#[test]
fn a_utf8_file_that_declares_utf16_reads_as_the_utf8_it_is() {
    // .NET's XmlSerializer over a StringWriter writes so.
    let dir = project();
    let root = dir.path();
    write(
        root,
        "dotnet.xml",
        "<?xml version=\"1.0\" encoding=\"utf-16\"?>\n<testsuites><testsuite name=\"风压\"><testcase classname=\"Wind\" name=\"DI005_Holds\"/></testsuite></testsuites>\n",
    );
    let r = import(root, &["dotnet.xml"], &[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(
        outcomes(root),
        [("TEST-dotnet-DI-005".to_owned(), "pass".to_owned())]
    );
}
