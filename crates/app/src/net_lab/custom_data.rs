//! The student's own points: what a click on the output map does (add a point of a class, or
//! follow the nearest point), removing the last point, and a pasted or uploaded CSV whose
//! unusable rows are listed by line number. The points travel in the link, so a shared link is
//! the same data.

use super::state::NetSession;
use super::Actions;
use contract::net::custom::parse_csv;
use contract::net::limits::NetLimits;
use contract::net::Dataset;
use leptos::prelude::*;
use wasm_bindgen::JsCast;

#[component]
pub fn CustomData(state: RwSignal<NetSession>, actions: Actions) -> impl IntoView {
    let read = state.read_only();
    let custom = move || state.with(|s| s.spec.dataset == Dataset::Custom);
    let count = move || state.with(|s| s.spec.points.len());
    let class = move || state.with(|s| s.lab.add_class);
    let text = RwSignal::new(String::new());
    let use_text = move || {
        let parsed = parse_csv(&text.get_untracked());
        let enough = parsed.points.len() >= NetLimits::MIN_CUSTOM_POINTS;
        let mut problems = parsed.problems;
        if !enough {
            problems.push(format!(
                "only {} usable rows: at least {} are needed; the points on screen are kept",
                parsed.points.len(),
                NetLimits::MIN_CUSTOM_POINTS
            ));
        }
        state.update(|s| s.lab.csv_problems = problems);
        if enough {
            let points = parsed.points;
            actions.edit(read, move |s| {
                s.dataset = Dataset::Custom;
                s.points = points;
            });
        }
    };
    // A file is read by the browser (never over the limit) into the text box, then used.
    let upload = move |ev: web_sys::Event| {
        let Some(input) = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
        else {
            return;
        };
        let Some(file) = input.files().and_then(|files| files.get(0)) else {
            return;
        };
        if file.size() > NetLimits::MAX_CSV_BYTES as f64 {
            state.update(|s| {
                s.lab.csv_problems = vec![format!(
                    "{} is {} bytes, over the limit of {}; nothing was read",
                    file.name(),
                    file.size(),
                    NetLimits::MAX_CSV_BYTES
                )]
            });
            return;
        }
        let Ok(reader) = web_sys::FileReader::new() else {
            return;
        };
        let result = reader.clone();
        let loaded = wasm_bindgen::closure::Closure::once_into_js(move |_: web_sys::Event| {
            if let Some(contents) = result.result().ok().and_then(|v| v.as_string()) {
                text.set(contents);
                use_text();
            }
        });
        reader.set_onload(Some(loaded.unchecked_ref()));
        if reader.read_as_text(&file).is_err() {
            state.update(|s| s.lab.csv_problems = vec![format!("{} could not be read", file.name())]);
        }
    };
    let mode = move |choice: Option<bool>| {
        view! {
            <input type="radio" name="net-click" data-testid=match choice { None => "click-follows", Some(false) => "click-adds-negative", Some(true) => "click-adds-positive" }
                prop:checked=move || class() == choice
                on:change=move |_| state.update(|s| s.lab.add_class = choice) />
        }
    };
    view! {
        <Show when=custom>
            <div class="custom-data" data-testid="custom-data">
                <span class="hint" data-testid="custom-count">{move || format!("{} of at most {} points", count(), NetLimits::MAX_CUSTOM_POINTS)}</span>
                <span class="click-mode">"A click on the output map "
                    <label>{mode(None)}" follows the nearest point"</label>
                    <label>{mode(Some(false))}" adds "<span class="dot negative"></span>" −1"</label>
                    <label>{mode(Some(true))}" adds "<span class="dot positive"></span>" +1"</label>
                </span>
                <button class="secondary-blue" data-testid="remove-point"
                    disabled=move || { count() <= NetLimits::MIN_CUSTOM_POINTS }
                    on:click=move |_| actions.edit(read, |s| { s.points.pop(); })>"Remove the last point"</button>
            </div>
        </Show>
        <details class="csv">
            <summary>"Paste your own points (CSV: x, y, label)"</summary>
            <p class="hint">{format!(
                "One point per line: x and y in −6…6, label 1 or −1 (0 counts as −1); commas, semicolons, tabs or spaces between. At most {} points.",
                NetLimits::MAX_CUSTOM_POINTS
            )}</p>
            <textarea data-testid="csv-text" rows="6" cols="40" placeholder="x, y, label\n1.5, -2, 1\n-3, 0.5, -1"
                prop:value=move || text.get()
                on:input=move |ev| text.set(event_target_value(&ev))></textarea>
            <div class="csv-actions">
                <button class="secondary-blue" data-testid="csv-use" on:click=move |_| use_text()>"Use these points"</button>
                <label class="hint">" or upload a file "<input type="file" accept=".csv,.txt,text/csv,text/plain" data-testid="csv-file" on:change=upload /></label>
            </div>
            <Show when=move || state.with(|s| !s.lab.csv_problems.is_empty())>
                <ul class="notice warn" data-testid="csv-problems">
                    {move || state.with(|s| s.lab.csv_problems.iter().map(|p| view! { <li>{p.clone()}</li> }).collect::<Vec<_>>())}
                </ul>
            </Show>
        </details>
    }
}
