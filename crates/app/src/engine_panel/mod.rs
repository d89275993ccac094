//! The Engine panel: the machine's diagnostics. What the engine worker runs on (threads,
//! SIMD128, shared memory) and a live measurement of its matrix-product speed.

mod speed_chart;
pub mod state;
mod suite_table;

use crate::engine_client;
use crate::format;
use crate::isolation::is_cross_origin_isolated;
use crate::labs::Page;
use contract::diagnostics::{DiagnosticsReply, DiagnosticsRequest, EngineBuild};
use contract::limits::MATMUL_BENCH_SIZES;
use contract::FromEngine;
use crate::page::Headed;
use leptos::prelude::*;
use speed_chart::SpeedChart;
use state::{EngineStatus, PanelState, Task};
use suite_table::SuiteTable;

const DEFAULT_SIZE: usize = 512;

/// The Engine panel in the registry: the engine's own participant.
pub fn page(_opening: &str) -> Box<dyn Page> {
    Box::new(EngineRoom(RwSignal::new(PanelState::new())))
}

struct EngineRoom(RwSignal<PanelState>);

impl Page for EngineRoom {
    fn title(&self) -> &'static str {
        "Engine"
    }

    fn fragment(&self) -> &'static str {
        "engine"
    }

    fn deliver(&self, message: &FromEngine) {
        self.0.update(|s| s.apply(message));
    }

    fn engine_starting(&self) {
        self.0.update(PanelState::restarting);
    }

    fn view(&self, _active: Signal<bool>, restart: Callback<()>) -> AnyView {
        view! { <EnginePanel state=self.0 restart=restart /> }.into_any()
    }
}

/// The build's name, and what it is made of.
fn build_name(build: EngineBuild) -> (&'static str, &'static str) {
    match build {
        EngineBuild::Threaded => ("threaded", " wasm atomics: a worker per thread, one memory"),
        EngineBuild::SingleThreaded => ("single-threaded", " no wasm atomics"),
    }
}

/// Why the engine runs on one thread, in a student's words: the page decides, not the engine.
fn why_single_threaded() -> &'static str {
    if is_cross_origin_isolated() {
        "This page is cross-origin isolated, yet the threaded engine did not load here: the \
         single-threaded build runs instead. Every lab works and gives the same numbers as on \
         many threads; training just takes longer."
    } else {
        "This page is not cross-origin isolated (its host does not send the two headers the \
         README's Hosting section names), so the browser does not let workers share memory and \
         the engine runs its single-threaded build. Every lab works and gives exactly the same \
         numbers as on many threads; training just takes longer. The notice at the top of the \
         page can enable threads on this site."
    }
}

/// What this part shows, under its title.
const LEDE: &str = concat!(
    "Every model in this playground trains inside a background worker, so the page ",
    "stays smooth while it computes. This panel shows what that engine runs on and ",
    "measures how fast it multiplies matrices — the operation that dominates training.",
);

#[component]
pub fn EnginePanel(state: RwSignal<PanelState>, restart: Callback<()>) -> impl IntoView {
    let size = RwSignal::new(DEFAULT_SIZE);

    let measure = move |_| {
        let n = size.get();
        // Mark it running now, not when the engine answers: a double click must not queue two.
        state.update(|s| s.answered(DiagnosticsReply::MeasuringMatmul { n }));
        let request = PanelState::request(&DiagnosticsRequest::MeasureMatmul { n });
        if let Err(message) = engine_client::send(&request) {
            state.update(|s| s.refused(message));
        }
    };

    let status_text = move || match state.with(|s| s.status.clone()) {
        EngineStatus::Starting => "starting…".to_string(),
        EngineStatus::Ready(_) => "ready".to_string(),
        EngineStatus::Failed(message) => format!("stopped — {message}"),
    };
    let info = move || match state.with(|s| s.status.clone()) {
        EngineStatus::Ready(info) => Some(info),
        _ => None,
    };
    let cores = web_sys::window()
        .map(|w| w.navigator().hardware_concurrency() as usize)
        .unwrap_or(0);
    let failed = move || state.with(|s| matches!(s.status, EngineStatus::Failed(_)));
    let single_threaded = move || info().is_some_and(|i| i.build == EngineBuild::SingleThreaded);

    view! {
        <Headed id="engine-title" title="Engine" class="panel" level=1 lede=LEDE>

            <dl class="facts">
                <div>
                    <dt>"Engine"</dt>
                    <dd data-testid="engine-status">{status_text}</dd>
                </div>
                <div>
                    <dt>"Build"</dt>
                    <dd data-testid="engine-build">
                        {move || info().map_or("—", |i| build_name(i.build).0)}
                        <span class="hint">{move || info().map_or("", |i| build_name(i.build).1)}</span>
                    </dd>
                </div>
                <div>
                    <dt>"Threads in the pool"</dt>
                    <dd data-testid="threads">
                        {move || info().map_or("—".to_string(), |i| i.threads.to_string())}
                        <span class="hint">{format!(" of {cores} logical cores")}</span>
                    </dd>
                </div>
                <div>
                    <dt>"SIMD128"</dt>
                    <dd data-testid="simd">
                        {move || info().map_or("—", |i| if i.simd128 { "on" } else { "off" })}
                    </dd>
                </div>
                <div>
                    <dt>"Shared memory"</dt>
                    <dd data-testid="shared-memory">
                        {move || info().map_or("—", |i| if i.shared_memory { "yes" } else { "no" })}
                    </dd>
                </div>
            </dl>
            <Show when=single_threaded>
                <p class="notice info" data-testid="why-single-threaded">{why_single_threaded}</p>
            </Show>
            <Show when=failed>
                <div class="notice error" role="alert">
                    "The engine stopped. Results measured so far are kept. "
                    <button class="secondary" on:click=move |_| restart.run(())>
                        "Restart engine"
                    </button>
                </div>
            </Show>

            <h2>"Matrix-product speed"</h2>
            <p>
                "Multiplies two random N×N matrices of 32-bit floats, C = A·B, first on one "
                "thread, then split across the whole pool. Speed is in GFLOP/s: the product "
                "does 2N³ floating-point operations, divided by the median time of several runs."
            </p>
            <div class="controls">
                <label>
                    "Matrix size N "
                    <select
                        data-testid="size"
                        on:change=move |ev| {
                            if let Ok(n) = event_target_value(&ev).parse() {
                                size.set(n);
                            }
                        }
                    >
                        {MATMUL_BENCH_SIZES
                            .iter()
                            .map(|&n| {
                                view! {
                                    <option value=n.to_string() selected=n == DEFAULT_SIZE>
                                        {format!("{n} × {n}")}
                                    </option>
                                }
                            })
                            .collect::<Vec<_>>()}
                    </select>
                </label>
                <button
                    data-testid="measure"
                    on:click=measure
                    disabled=move || !state.with(PanelState::can_measure)
                >
                    {move || match state.with(|s| s.busy) {
                        Some(Task::Matmul(n)) => format!("Measuring {n}×{n}…"),
                        _ => "Measure".to_string(),
                    }}
                </button>
            </div>
            {move || {
                state
                    .with(|s| s.error.clone())
                    .map(|e| view! { <div class="notice error" role="alert">{e}</div> })
            }}
            {move || state.with(|s| s.latest().cloned()).map(|b| view! { <SpeedChart bench=b /> })}
            <ResultsTable state=state />
            <SuiteTable state=state />
        </Headed>
    }
}

#[component]
fn ResultsTable(state: RwSignal<PanelState>) -> impl IntoView {
    let rows = move || {
        state.with(|s| {
            s.results
                .iter()
                .rev()
                .map(|b| {
                    view! {
                        <tr>
                            <td>{format!("{0} × {0}", b.n)}</td>
                            <td class="num">{format::millis(b.seconds_one_thread)}</td>
                            <td class="num">{format::gflops(b.gflops_one_thread())}</td>
                            <td class="num">{format::millis(b.seconds_all_threads)}</td>
                            <td class="num">{format::gflops(b.gflops_all_threads())}</td>
                            <td class="num">{format::speedup(b.speedup())}</td>
                            <td>{if b.bit_identical { "yes" } else { "NO" }}</td>
                            <td class="num">{format::rel_error(b.max_rel_error_vs_scalar)}</td>
                        </tr>
                    }
                })
                .collect::<Vec<_>>()
        })
    };
    view! {
        <Show when=move || state.with(|s| !s.results.is_empty())>
            <h3>"All measurements of this visit"</h3>
            <table class="results" data-testid="results">
                <thead>
                    <tr>
                        <th>"N"</th>
                        <th>"1 thread: time"</th>
                        <th>"GFLOP/s"</th>
                        <th>"all threads: time"</th>
                        <th>"GFLOP/s"</th>
                        <th>"speed-up"</th>
                        <th title="The 1-thread and all-thread products agree bit for bit">
                            "identical bits"
                        </th>
                        <th title="Largest |C − C_ref| / (1 + |C_ref|) against a plain scalar loop">
                            "error vs scalar"
                        </th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        </Show>
    }
}
