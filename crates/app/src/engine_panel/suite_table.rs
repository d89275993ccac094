//! The benchmark suite: every matrix-product transposition a training step uses, and one
//! training step of each of the peers' networks, each on one thread and on the whole pool.
//! Rows appear as they are measured.

use super::state::{PanelState, Task};
use crate::engine_client;
use crate::format;
use contract::diagnostics::DiagnosticsRequest;
use leptos::prelude::*;

#[component]
pub fn SuiteTable(state: RwSignal<PanelState>) -> impl IntoView {
    let run = move |_| {
        state.update(PanelState::suite_started);
        let request = PanelState::request(&DiagnosticsRequest::RunBenchmarks);
        if let Err(message) = engine_client::send(&request) {
            state.update(|s| s.refused(message));
        }
    };
    let running = move || state.with(|s| s.busy == Some(Task::BenchmarkSuite));
    let threads = move || state.with(|s| s.suite.first().map_or(0, |r| r.threads));
    let rows = move || {
        state.with(|s| {
            s.suite
                .iter()
                .map(|r| {
                    view! {
                        <tr>
                            <td>{r.workload.clone()}</td>
                            <td class="num">{format::gflops(r.one_thread)}</td>
                            <td class="num">{format::gflops(r.all_threads)}</td>
                            <td class="num">{format::speedup(r.all_threads / r.one_thread)}</td>
                            <td>{r.unit.clone()}</td>
                        </tr>
                    }
                })
                .collect::<Vec<_>>()
        })
    };
    view! {
        <h2>"Benchmark suite"</h2>
        <p>
            "Training multiplies matrices in three ways — A·B forward, A·Bᵀ and Aᵀ·B backward — "
            "and a convolutional network adds unfolding and pooling around them. The suite times "
            "each on one thread and on the whole pool (same work, same results, bit for bit), "
            "ending with one training step of a small MNIST network — "
            "conv 5×5×8 → pool → conv 5×5×16 → pool → dense 10 — and of a multilayer perceptron, "
            "784 → 256 → 256 → 10, both at batch 64, of an LSTM (32 → 128 over 32 steps, batch 32) "
            "and of a Transformer encoder block (width 64, 4 heads, feed-forward 256, 64 positions, "
            "batch 16) — the workloads TF.js and jax-js were measured on. "
            "The reference row is the same 512 × 512 product by matrixmultiply, the library the "
            "engine used before its own kernel. It is measured here too, on this machine: compare "
            "the rows with it rather than with figures from another computer. "
            "It takes about 20 seconds."
        </p>
        <div class="controls">
            <button
                data-testid="run-suite"
                on:click=run
                disabled=move || !state.with(PanelState::can_measure)
            >
                {move || if running() { "Running the suite…" } else { "Run benchmark suite" }}
            </button>
        </div>
        <Show when=move || state.with(|s| !s.suite.is_empty())>
            <table class="results" data-testid="suite">
                <thead>
                    <tr>
                        <th>"workload"</th>
                        <th>"1 thread"</th>
                        <th>{move || format!("{} threads", threads())}</th>
                        <th>"speed-up"</th>
                        <th>"unit (higher is faster)"</th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        </Show>
    }
}
