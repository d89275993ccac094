//! The playground's UI: a Leptos (CSR) app on the main thread. It never computes a training
//! step; it sends `contract::ToEngine` messages to the engine worker and draws what comes back.

mod engine_client;
mod format;
mod isolation;
mod labs;
mod page;
mod shell;
pub mod widgets;

pub use shell::App;

/// The registry of pages: each line declares a page's folder and makes its page (a lab, or the
/// Engine panel). The first is the landing page, and the page of any fragment no other owns.
macro_rules! pages {
    ($($module:ident),* $(,)?) => {
        $(pub mod $module;)*

        /// Every page, built for an app opened at `opening` (a page decodes the link if it
        /// is its own).
        fn pages(opening: &str) -> Vec<Box<dyn labs::Page>> {
            vec![$($module::page(opening)),*]
        }
    };
}

pages! {
    optim_lab,
    net_lab,
    rnn_lab,
    tfm_lab,
    mt_lab,
    cnn_lab,
    engine_panel,
}

#[cfg(test)]
mod tests {
    /// Every page stays mounted, so a test id written literally twice in the app would match
    /// two elements and a test (or a user's tool) could read the wrong one.
    #[test]
    fn literal_test_ids_are_unique_across_the_pages() {
        fn walk(dir: &std::path::Path, out: &mut Vec<(String, String)>) {
            for entry in std::fs::read_dir(dir).expect("the app's sources").flatten() {
                let path = entry.path();
                if path.is_dir() {
                    walk(&path, out);
                } else if path.extension().is_some_and(|e| e == "rs") {
                    let text = std::fs::read_to_string(&path).expect("a source file");
                    for part in text.split("data-testid=\"").skip(1) {
                        if let Some(id) = part.split('"').next() {
                            out.push((id.to_string(), path.display().to_string()));
                        }
                    }
                }
            }
        }
        let mut ids = Vec::new();
        walk(
            &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src"),
            &mut ids,
        );
        ids.sort();
        let repeated: Vec<_> = ids.windows(2).filter(|w| w[0].0 == w[1].0).collect();
        assert!(repeated.is_empty(), "{repeated:?}");
        assert!(ids.len() > 50, "the walk found the pages' ids");
    }

    /// Every lab that trains follows its run through `labs::training`: no lab folder keeps its
    /// own copy of the machinery (a fix made there reaches every lab).
    #[test]
    fn no_lab_writes_its_own_training_run() {
        let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let own = [
            "fn absorb(",
            "fn finished(",
            "fn replaying(",
            "fn toggle_play(",
            "fn wants_request(",
            "fn take_request(",
            "replay_to:",
            "_pending:",
            "_in_flight:",
            "pending_",
            "playing_when_asked",
        ];
        let mut labs = 0;
        let mut found = Vec::new();
        for entry in std::fs::read_dir(&src)
            .expect("the app's sources")
            .flatten()
        {
            let name = entry.file_name().to_string_lossy().to_string();
            if !name.ends_with("_lab") {
                continue;
            }
            labs += 1;
            for file in std::fs::read_dir(entry.path())
                .expect("a lab folder")
                .flatten()
            {
                let text = std::fs::read_to_string(file.path()).expect("a source file");
                for (n, line) in text.lines().enumerate() {
                    if let Some(word) = own.iter().find(|w| line.contains(*w)) {
                        found.push(format!("{}:{}: {word}", file.path().display(), n + 1));
                    }
                }
            }
        }
        assert_eq!(labs, 6, "every lab folder was read");
        assert!(found.is_empty(), "{found:#?}");
    }
}
