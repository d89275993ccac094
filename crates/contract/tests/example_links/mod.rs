//! The checked-in list of every lab's example links (`docs/examples.json`), as the tests read
//! it: `readme_examples.rs` holds it to the README, the fuzzers start from it.
#![allow(dead_code)] // each test binary uses its own part of it

use serde::Deserialize;

/// The list's text, compiled in so a change to it rebuilds the tests that read it.
const TEXT: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../docs/examples.json"
));

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExampleList {
    /// What the file is, for whoever opens it (JSON has no comments).
    pub about: Vec<String>,
    pub labs: Vec<LabExamples>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LabExamples {
    pub slug: String,
    /// The README's links of this lab, in its order.
    pub links: Vec<ExampleLink>,
    /// Links the README does not give that reach keys it does not: fuzzing seeds only.
    #[serde(default)]
    pub fuzz_seeds: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExampleLink {
    /// A short name, unique in its lab, that a browser test finds the link by.
    pub id: String,
    /// The fragment after '#'.
    pub link: String,
    /// The README line's text after " — ", verbatim.
    pub says: String,
    pub figures: Vec<Figure>,
}

/// A number the README states for a link, exactly as written there.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Figure {
    pub name: String,
    pub value: String,
    #[serde(default)]
    pub unit: String,
}

pub fn load() -> ExampleList {
    serde_json::from_str(TEXT).expect("docs/examples.json reads as the example list")
}

impl ExampleList {
    /// A lab's examples; a lab of the registry missing from the list is a failure.
    pub fn lab(&self, slug: &str) -> &LabExamples {
        self.labs
            .iter()
            .find(|l| l.slug == slug)
            .unwrap_or_else(|| panic!("docs/examples.json has no lab {slug:?}"))
    }
}

impl LabExamples {
    /// Every link to fuzz from: the README's, then the extra seeds.
    pub fn seeds(&self) -> impl Iterator<Item = &str> {
        self.links
            .iter()
            .map(|l| l.link.as_str())
            .chain(self.fuzz_seeds.iter().map(String::as_str))
    }
}
