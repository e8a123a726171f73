//! A synthetic project for benchmarks and scale tests: N customer
//! requirements, each refined into a design input verified by a passing
//! verification, all decided by one contract review, spread over many files.
//!
//! Every `gap_every`-th requirement gets a deliberate gap (its design input
//! has no verification), written down by the generator itself, so tests can
//! assert that the findings are exactly the planted gaps.

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
}

impl CorpusSpec {
    pub fn new(requirements: usize) -> Self {
        CorpusSpec {
            requirements,
            per_file: 500,
            gap_every: 97,
        }
    }
}

/// A finding the generator planted: `(rule, item id)`.
pub type PlantedGap = (&'static str, String);

/// Writes the corpus into `dir` (which should be empty) and gives the
/// findings `check` must report.
pub fn generate(dir: &Path, spec: CorpusSpec) -> io::Result<Vec<PlantedGap>> {
    fs::create_dir_all(dir.join("requirements"))?;
    fs::create_dir_all(dir.join("design"))?;
    fs::write(
        dir.join("needtrail.toml"),
        "[project]\nname = \"generated corpus\"\nprofile = \"iso9001\"\n",
    )?;
    fs::write(
        dir.join("contract.toml"),
        "[[customer]]\nid = \"CUS-1\"\ntitle = \"Generated customer\"\ntype = \"external\"\n\n\
         [[contract]]\nid = \"CON-1\"\ntitle = \"Generated contract\"\ncustomer = \"CUS-1\"\nsigned = 2026-01-05\n",
    )?;
    let mut gaps = Vec::new();
    let mut review = String::from(
        "[[review]]\nid = \"REV-1\"\ntitle = \"Contract review of CON-1\"\ncontract = \"CON-1\"\ndate = 2026-01-04\nreviewers = [\"Sales\", \"Engineering\", \"Quality\"]\n",
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
                "[[design_input]]\nid = \"DI-{id:07}\"\ntitle = \"Seal and frame design for unit {id}\"\ncategory = \"performance\"\ntraces = [\"REQ-{id:07}\"]\n\n"
            );
            if spec.gap_every > 0 && id % spec.gap_every == 0 {
                gaps.push(("design-input-verified", format!("DI-{id:07}")));
            } else {
                let _ = write!(
                    design,
                    "[[verification]]\nid = \"VER-{id:07}\"\ntitle = \"Air tightness test of unit {id}\"\nverifies = [\"DI-{id:07}\"]\nmethod = \"test\"\nresult = \"pass\"\nevidence = \"Lab report LR-{id}\"\n\n"
                );
            }
            let _ = write!(
                design,
                "[[validation]]\nid = \"VAL-{id:07}\"\ntitle = \"Site acceptance of unit {id}\"\nvalidates = [\"REQ-{id:07}\"]\nresult = \"pass\"\n\n"
            );
        }
        fs::write(dir.join(format!("requirements/part-{f:05}.toml")), reqs)?;
        fs::write(dir.join(format!("design/part-{f:05}.toml")), design)?;
    }
    fs::write(dir.join("review.toml"), review)?;
    gaps.sort();
    Ok(gaps)
}
