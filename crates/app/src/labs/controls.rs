//! Training controls two labs draw alike: the notes' linear-decay box (and the rule that a
//! decay spanning the run keeps spanning it when the run's length changes), and the seed box.

use contract::training::LrSchedule;
use leptos::prelude::*;

/// Where the decay box takes η by the last step: ε_T = 1% of ε₀.
pub const DECAY_TO: f32 = 0.01;

/// The notes' linear decay over a run of `steps` (on), or a constant η (off).
pub fn decay_over(on: bool, steps: usize) -> LrSchedule {
    if on {
        LrSchedule::LinearDecay {
            final_ratio: DECAY_TO,
            steps,
        }
    } else {
        LrSchedule::Constant
    }
}

/// A decay that spanned a run of `old_steps` spans the run's new length too, and one longer
/// than the new run ends with it (the limits refuse a decay that outlasts its run).
pub fn keep_spanning(schedule: &mut LrSchedule, old_steps: usize, new_steps: usize) {
    if let LrSchedule::LinearDecay { final_ratio, steps } = *schedule {
        if steps == old_steps || steps > new_steps {
            *schedule = LrSchedule::LinearDecay {
                final_ratio,
                steps: new_steps,
            };
        }
    }
}

#[component]
pub fn DecayBox(
    testid: &'static str,
    #[prop(into)] on: Signal<bool>,
    on_change: Callback<bool>,
) -> impl IntoView {
    view! {
        <label class="field checkbox toolbar-check" title="The notes' linear decay: ε_k = (1 − k/T) ε₀ + (k/T) ε_T, then ε_T">
            <input type="checkbox" data-testid=testid prop:checked=on
                on:change=move |ev| on_change.run(event_target_checked(&ev)) />
            {format!(" η decays linearly to {}% over the run", DECAY_TO * 100.0)}
        </label>
    }
}

/// A control's tooltip: none for an empty title.
pub fn titled(title: &'static str) -> Option<&'static str> {
    (!title.is_empty()).then_some(title)
}

/// A checkbox that shows a flag and reports its new value (`class` places it; a `title`, if not
/// empty, says more).
pub fn check_box(
    class: &'static str,
    testid: &'static str,
    title: &'static str,
    label: &'static str,
    checked: impl Fn() -> bool + Send + Sync + 'static,
    on_change: impl Fn(bool) + 'static,
) -> impl IntoView {
    view! {
        <label class=class title=titled(title)>
            <input type="checkbox" data-testid=testid prop:checked=checked
                on:change=move |ev| on_change(event_target_checked(&ev)) />
            {label}
        </label>
    }
}

/// The run's seed, read as a whole u64 (a link's seed may not fit a wasm32 usize), and a button
/// that draws a new one: "try another initialisation" in one click, and the link it writes
/// replays that run exactly.
#[component]
pub fn SeedField(
    testid: &'static str,
    #[prop(into)] seed: Signal<u64>,
    on_change: Callback<u64>,
) -> impl IntoView {
    let draw_testid = format!("{testid}-new");
    view! {
        <label class="field">"Seed "
            <input type="number" min="0" data-testid=testid prop:value=move || seed.get().to_string()
                on:change=move |ev| {
                    if let Ok(n) = event_target_value(&ev).trim().parse::<u64>() { on_change.run(n) }
                } />
        </label>
        <button class="secondary-blue" data-testid=draw_testid
            title="draw a new seed (new first weights, data order and data where the lab draws them); the link keeps it"
            on:click=move |_| { if let Some(n) = new_seed() { on_change.run(n) } }>"New seed"</button>
    }
}

/// A seed from the browser's cryptographic generator (`crypto.getRandomValues`), below 2³² so
/// that the link stays short and the seed box shows it whole; `None` where the page has none.
fn new_seed() -> Option<u64> {
    // A JS-owned array: the browser refuses to fill a view of shared (threaded) wasm memory.
    let array = js_sys::Uint8Array::new_with_length(4);
    let crypto = web_sys::window()?.crypto().ok()?;
    crypto
        .get_random_values_with_array_buffer_view(&array)
        .ok()?;
    let mut bytes = [0u8; 4];
    array.copy_to(&mut bytes);
    Some(u64::from(u32::from_le_bytes(bytes)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_decay_over_the_whole_run_follows_its_length_and_no_other_does() {
        let mut spanning = decay_over(true, 300);
        keep_spanning(&mut spanning, 300, 500);
        assert_eq!(spanning, decay_over(true, 500));
        let mut shorter = LrSchedule::LinearDecay {
            final_ratio: 0.1,
            steps: 100,
        };
        keep_spanning(&mut shorter, 300, 500);
        assert_eq!(
            shorter,
            LrSchedule::LinearDecay {
                final_ratio: 0.1,
                steps: 100
            }
        );
        // A run cut below its decay's end takes the decay's end with it.
        keep_spanning(&mut shorter, 500, 60);
        assert_eq!(
            shorter,
            LrSchedule::LinearDecay {
                final_ratio: 0.1,
                steps: 60
            }
        );
        assert_eq!(decay_over(false, 300), LrSchedule::Constant);
    }
}
