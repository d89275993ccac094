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

/// The run's seed, read as a whole u64 (a link's seed may not fit a wasm32 usize).
#[component]
pub fn SeedField(
    testid: &'static str,
    #[prop(into)] seed: Signal<u64>,
    on_change: Callback<u64>,
) -> impl IntoView {
    view! {
        <label class="field">"Seed "
            <input type="number" min="0" data-testid=testid prop:value=move || seed.get().to_string()
                on:change=move |ev| {
                    if let Ok(n) = event_target_value(&ev).trim().parse::<u64>() { on_change.run(n) }
                } />
        </label>
    }
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
