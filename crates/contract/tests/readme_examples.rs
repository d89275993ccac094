//! `docs/examples.json` against README.md: every example link the README gives is in the list
//! with the README's words, the list has no link the README lacks, every figure the list
//! states is written on its link's line, and every lab of the registry has its examples (each
//! one a link its lab reads without a note, within its limits).
#![allow(clippy::unwrap_used)] // a panic is the failure report

mod example_links;

use contract::link::{lab_of, Link};
use contract::registry::{each_lab, Lab, LabVisitor, LAB_SLUGS};
use std::collections::BTreeMap;

const README: &str = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/../../README.md"));
/// Where the README's links point (`./scripts/serve.sh`).
const SITE: &str = "http://127.0.0.1:8080/#";

/// The README's example lines, `- <SITE#fragment> — description`, by fragment.
fn readme_examples() -> BTreeMap<&'static str, &'static str> {
    let mut examples = BTreeMap::new();
    for line in README.lines() {
        let Some(rest) = line.strip_prefix("- <").and_then(|l| l.strip_prefix(SITE)) else {
            continue;
        };
        let (fragment, says) = rest
            .split_once("> — ")
            .unwrap_or_else(|| panic!("an example line is `- <link> — description`: {line}"));
        assert!(
            examples.insert(fragment, says).is_none(),
            "the README gives {fragment} twice"
        );
    }
    examples
}

/// Every fragment the README links to anywhere.
fn readme_fragments() -> Vec<&'static str> {
    README
        .split(SITE)
        .skip(1)
        .map(|rest| rest.split('>').next().unwrap())
        .collect()
}

#[test]
fn the_list_is_the_readmes_example_links_in_its_words() {
    let list = example_links::load();
    let readme = readme_examples();
    let mut listed = BTreeMap::new();
    for lab in &list.labs {
        for example in &lab.links {
            assert_eq!(
                lab_of(&example.link),
                Some(lab.slug.as_str()),
                "{}",
                example.link
            );
            assert!(
                listed.insert(example.link.as_str(), example).is_none(),
                "listed twice: {}",
                example.link
            );
            let Some(says) = readme.get(example.link.as_str()) else {
                panic!(
                    "docs/examples.json has {}, the README does not",
                    example.link
                )
            };
            assert_eq!(
                &example.says, says,
                "{}: the README says otherwise",
                example.link
            );
        }
    }
    for fragment in readme.keys() {
        assert!(
            listed.contains_key(fragment),
            "the README gives {fragment}: add it to docs/examples.json"
        );
    }
    // Links elsewhere in the text: a lab's bare link (its nav link) or a listed example.
    for fragment in readme_fragments() {
        let bare = fragment
            .strip_prefix("lab=")
            .is_some_and(|slug| LAB_SLUGS.contains(&slug));
        assert!(
            bare || listed.contains_key(fragment) || !fragment.starts_with("lab="),
            "the README links to {fragment}, which docs/examples.json does not list"
        );
    }
}

/// Where `value` is written in `text` as a whole number, not part of a longer one ("0.5" is
/// not in "0.54" or "10.5", but is in "0.5." at a sentence's end).
fn written_at(text: &str, value: &str) -> Vec<usize> {
    let digit = |c: Option<char>| c.is_some_and(|c| c.is_ascii_digit());
    text.match_indices(value)
        .map(|(at, _)| at)
        .filter(|&at| {
            let before = text[..at].chars().next_back();
            let mut after = text[at + value.len()..].chars();
            let (next, then) = (after.next(), after.next());
            let longer_before = digit(before) || matches!(before, Some('.' | ','));
            let longer_after = digit(next) || (matches!(next, Some('.' | ',')) && digit(then));
            !longer_before && !longer_after
        })
        .collect()
}

#[test]
fn every_figure_is_written_on_its_links_line() {
    let list = example_links::load();
    for lab in &list.labs {
        for example in &lab.links {
            let mut names = Vec::new();
            for figure in &example.figures {
                let at = written_at(&example.says, &figure.value);
                assert!(
                    !at.is_empty(),
                    "{}: {} = {:?} is not written in the README's line {:?}",
                    example.link,
                    figure.name,
                    figure.value,
                    example.says
                );
                if figure.unit == "%" {
                    assert!(
                        at.iter()
                            .any(|&i| example.says[i + figure.value.len()..].starts_with('%')),
                        "{}: {} should read {}% in the README line {:?}",
                        example.link,
                        figure.name,
                        figure.value,
                        example.says
                    );
                }
                assert!(
                    !names.contains(&&figure.name),
                    "{}: {} twice",
                    example.link,
                    figure.name
                );
                names.push(&figure.name);
            }
        }
    }
}

#[test]
fn every_lab_of_the_registry_has_examples_it_reads_without_a_note() {
    struct Reads(example_links::ExampleList);
    impl LabVisitor for Reads {
        fn visit<L: Lab>(&mut self) {
            let lab = self.0.lab(L::SLUG);
            assert!(!lab.links.is_empty(), "{}: no README example", L::SLUG);
            let mut ids: Vec<&str> = lab.links.iter().map(|l| l.id.as_str()).collect();
            ids.sort_unstable();
            ids.dedup();
            assert_eq!(ids.len(), lab.links.len(), "{}: ids are unique", L::SLUG);
            for example in &lab.links {
                let (spec, notes) = L::Spec::decode(&example.link);
                assert!(notes.is_empty(), "{}: {notes:?}", example.link);
                assert!(
                    L::check(&spec).is_ok(),
                    "{}: {:?}",
                    example.link,
                    L::check(&spec)
                );
            }
            for seed in &lab.fuzz_seeds {
                assert_eq!(lab_of(seed), Some(L::SLUG), "{seed}");
            }
        }
    }
    let list = example_links::load();
    let listed: Vec<&str> = list.labs.iter().map(|l| l.slug.as_str()).collect();
    assert_eq!(
        listed, LAB_SLUGS,
        "docs/examples.json lists the registry's labs, in its order"
    );
    each_lab(&mut Reads(list));
}
