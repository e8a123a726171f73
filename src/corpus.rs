//! A synthetic project for benchmarks and scale tests: N customer
//! requirements, each refined into a design input verified by a passing
//! verification, all decided by one contract review, spread over many files.
//!
//! Every `gap_every`-th requirement gets a deliberate gap (its design input
//! has no verification), written down by the generator itself, so tests can
//! assert that the findings are exactly the planted gaps.
//!
//! A lived-in corpus ([`CorpusSpec::lived_in`]) is what a project looks like
//! after a year of use: deliveries (a few late), customer feedback (closed
//! complaints with their action, surveys), quality objectives measured from
//! the records and from measurements entered by hand. The command that
//! writes it then signs the review and stamps every item with the real
//! commands, and [`change_after_signoff`] edits a few requirements, as a
//! revised customer document would.

use std::fmt::Write as _;
use std::fs;
use std::io;
use std::path::Path;

/// How to shape the corpus.
#[derive(Clone, Copy, Debug)]
pub struct CorpusSpec {
    pub requirements: usize,
    /// Requirements per file.
    pub per_file: usize,
    /// Every n-th requirement's design input is left unverified (0: none).
    pub gap_every: usize,
    /// Write a lived-in project: deliveries, feedback and objectives, to be
    /// signed, stamped and changed after sign-off.
    pub lived_in: bool,
}

/// Requirements one delivery delivers.
pub const PER_DELIVERY: usize = 50;
/// Every n-th delivery is late.
const LATE_EVERY: usize = 40;
/// Every n-th delivery gets a complaint (closed, with its action).
const COMPLAINT_EVERY: usize = 25;
/// Every n-th requirement changes after the review was signed.
const CHANGE_EVERY: usize = 1000;

impl CorpusSpec {
    pub fn new(requirements: usize) -> Self {
        CorpusSpec {
            requirements,
            per_file: 500,
            gap_every: 97,
            lived_in: false,
        }
    }
}

/// A finding the generator planted: `(rule, item id)`.
pub type PlantedGap = (String, String);

/// The id of the rule that plays a part (`pick` of the roles' rules) in
/// the built-in profile, which the corpus is written for.
pub fn rule_id(pick: impl Fn(&crate::profile::roles::RuleRoles) -> Option<usize>) -> String {
    let (profile, _) = crate::profile::build(None).expect("built-in profile");
    pick(&profile.roles.rules)
        .map(|i| profile.rules[i].id.clone())
        .expect("the built-in profile plays every part")
}

/// Writes the corpus into `dir` (which should be empty) and gives the
/// findings `check` must report.
pub fn generate(dir: &Path, spec: CorpusSpec) -> io::Result<Vec<PlantedGap>> {
    fs::create_dir_all(dir.join("requirements"))?;
    fs::create_dir_all(dir.join("design"))?;
    let settings = if spec.lived_in {
        "\n[settings]\nas_of = 2026-12-31\ncomplaint_max_age_days = 30\n"
    } else {
        ""
    };
    fs::write(
        dir.join("needtrail.toml"),
        format!("[project]\nname = \"generated corpus\"\nprofile = \"iso9001\"\n{settings}"),
    )?;
    fs::write(
        dir.join("contract.toml"),
        "[[customer]]\nid = \"CUS-1\"\ntitle = \"Generated customer\"\ntype = \"external\"\n\n\
         [[contract]]\nid = \"CON-1\"\ntitle = \"Generated contract\"\ncustomer = \"CUS-1\"\nsigned = 2026-01-05\n",
    )?;
    let mut gaps = Vec::new();
    let unverified = rule_id(|r| r.verified);
    let mut review = String::from(
        "[[review]]\nid = \"REV-1\"\ntitle = \"Contract review of CON-1\"\ncontract = \"CON-1\"\ndate = 2026-01-04\nreviewers = [\"Sales: Wang Min\", \"Engineering: Zhao Gang\", \"Quality: Chen Yu\"]\n",
    );
    let files = spec.requirements.div_ceil(spec.per_file.max(1));
    for f in 0..files {
        let start = f * spec.per_file;
        let end = (start + spec.per_file).min(spec.requirements);
        let mut reqs = String::new();
        let mut design = String::new();
        for n in start..end {
            let id = n + 1;
            let _ = write!(
                reqs,
                "[[requirement]]\nid = \"REQ-{id:07}\"\ntitle = \"Window unit {id} meets air tightness class 6 / 外窗气密性能不低于6级\"\n\
                 text = \"The unit shall keep air leakage below 1.5 m3/(m·h) at 10 Pa as tested to GB/T 7106; 检测按GB/T 7106执行。\"\n\
                 class = \"stated\"\ncontract = \"CON-1\"\ncustomer = \"CUS-1\"\nsource = \"Tender clause 4.{id}\"\n\n"
            );
            let _ = write!(
                review,
                "\n[[review.decision]]\nrequirement = \"REQ-{id:07}\"\nverdict = \"accepted\"\n"
            );
            let _ = write!(
                design,
                "[[design_input]]\nid = \"DI-{id:07}\"\ntitle = \"Seal and frame design for unit {id}: q1 ≤ 1.5 m³/(m·h)\"\ncategory = \"performance\"\ntraces = [\"REQ-{id:07}\"]\n\n"
            );
            if spec.gap_every > 0 && id % spec.gap_every == 0 {
                gaps.push((unverified.clone(), format!("DI-{id:07}")));
            } else {
                let _ = write!(
                    design,
                    "[[verification]]\nid = \"VER-{id:07}\"\ntitle = \"Air tightness test of unit {id}\"\nverifies = [\"DI-{id:07}\"]\nmethod = \"test\"\nresult = \"pass\"\nevidence = \"Lab report LR-{id}\"\n\n"
                );
            }
            let _ = write!(
                design,
                "[[validation]]\nid = \"VAL-{id:07}\"\ntitle = \"Site acceptance of unit {id}\"\nvalidates = [\"REQ-{id:07}\"]\nresult = \"pass\"\nevidence = \"Site acceptance record SA-{id}\"\n\n"
            );
        }
        fs::write(dir.join(format!("requirements/part-{f:05}.toml")), reqs)?;
        fs::write(dir.join(format!("design/part-{f:05}.toml")), design)?;
    }
    fs::write(dir.join("review.toml"), review)?;
    if spec.lived_in {
        write_records(dir, spec)?;
    }
    gaps.sort();
    Ok(gaps)
}

/// Deliveries, feedback and objectives of a lived-in corpus.
fn write_records(dir: &Path, spec: CorpusSpec) -> io::Result<()> {
    fs::create_dir_all(dir.join("delivery"))?;
    let deliveries = spec.requirements.div_ceil(PER_DELIVERY);
    let mut out = String::new();
    let mut feedback = String::new();
    let per_file = spec.per_file.div_ceil(PER_DELIVERY).max(1);
    for d in 0..deliveries {
        let n = d + 1;
        let first = d * PER_DELIVERY + 1;
        let last = ((d + 1) * PER_DELIVERY).min(spec.requirements);
        let ids: Vec<String> = (first..=last).map(|i| format!("\"REQ-{i:07}\"")).collect();
        // Spread over the year, two weeks apart within each month.
        let month = d % 12 + 1;
        let day = if d % 2 == 0 { 5 } else { 19 };
        let late = if n % LATE_EVERY == 0 { 6 } else { 0 };
        let _ = write!(
            out,
            "[[delivery]]\nid = \"DEL-{n:06}\"\ntitle = \"Shipment {n} of window units {first}–{last} / 第{n}批交付\"\n\
             contract = \"CON-1\"\ndelivers = [{}]\nplanned = 2026-{month:02}-{day:02}\nactual = 2026-{month:02}-{:02}\n\
             evidence = \"Delivery note DN-{n:06}, signed by the site\"\n\n",
            ids.join(", "),
            day + late,
        );
        if n % COMPLAINT_EVERY == 0 {
            let _ = write!(
                feedback,
                "[[feedback]]\nid = \"FB-{n:06}\"\ntitle = \"Scratched frames in shipment {n} / 型材划伤\"\ntype = \"complaint\"\n\
                 about = [\"DEL-{n:06}\"]\ncustomer = \"CUS-1\"\ndate = 2026-{month:02}-{:02}\nstatus = \"closed\"\n\
                 action = \"Protective film re-applied before packing; 8D report 8D-{n:06}\"\n\n",
                day + late + 2,
            );
        }
        if (d + 1) % per_file == 0 || d + 1 == deliveries {
            fs::write(
                dir.join(format!("delivery/part-{:05}.toml", d / per_file)),
                &out,
            )?;
            out.clear();
        }
    }
    for q in 1..=4 {
        let _ = write!(
            feedback,
            "[[feedback]]\nid = \"SUR-2026-Q{q}\"\ntitle = \"Customer satisfaction survey 2026 Q{q}\"\ntype = \"survey\"\n\
             customer = \"CUS-1\"\ndate = 2026-{:02}-28\nscore = {}\n\n",
            q * 3,
            88 + q
        );
    }
    fs::write(dir.join("delivery/feedback.toml"), feedback)?;
    fs::write(
        dir.join("objectives.toml"),
        "[[objective]]\nid = \"OBJ-1\"\ntitle = \"On-time delivery ≥ 95% / 按期交付率\"\nmetric = \"on_time_delivery\"\n\
         target = \">= 95%\"\nperiod = \"2026\"\ntraces = [\"CUS-1\"]\n\n\
         [[objective]]\nid = \"OBJ-2\"\ntitle = \"Customer satisfaction ≥ 85\"\nmetric = \"customer_satisfaction\"\n\
         target = \">= 85\"\nperiod = \"2026\"\ntraces = [\"CUS-1\"]\n\n\
         [[objective]]\nid = \"OBJ-3\"\ntitle = \"Supplier rating by the customer ≥ 90\"\nmetric = \"supplier_rating\"\n\
         target = \">= 90\"\ntraces = [\"CUS-1\"]\n\n\
         [[objective.measurement]]\nperiod = \"2026-H1\"\nvalue = 91\n\n\
         [[objective.measurement]]\nperiod = \"2026-H2\"\nvalue = 93\nnote = \"Customer's half-year supplier evaluation\"\n",
    )?;
    Ok(())
}

/// Changes the text of every [`CHANGE_EVERY`]-th requirement (at least one)
/// of a signed and stamped lived-in corpus, as a revised customer document
/// would, and gives the requirements changed.
pub fn change_after_signoff(dir: &Path, spec: CorpusSpec) -> io::Result<Vec<String>> {
    let every = CHANGE_EVERY.min(spec.requirements.max(1));
    let mut changed = Vec::new();
    let per_file = spec.per_file.max(1);
    for id in (every..=spec.requirements).step_by(every) {
        let path = dir.join(format!("requirements/part-{:05}.toml", (id - 1) / per_file));
        let text = fs::read_to_string(&path)?;
        let from = format!("id = \"REQ-{id:07}\"");
        let at = text
            .find(&from)
            .ok_or_else(|| io::Error::other(format!("REQ-{id:07} not found")))?;
        let old = "below 1.5 m3/(m·h)";
        let Some(rel) = text[at..].find(old) else {
            return Err(io::Error::other(format!(
                "REQ-{id:07} has no text to change"
            )));
        };
        let mut new = text.clone();
        new.replace_range(
            at + rel..at + rel + old.len(),
            "below 1.2 m3/(m·h) (revision B)",
        );
        fs::write(&path, new)?;
        changed.push(format!("REQ-{id:07}"));
    }
    Ok(changed)
}
