//! The Optimizer lab: optimizers race across a loss surface (or a real regression problem's
//! loss over (w, b)) from the same start; the student changes one knob and sees what changes.
//! All computing happens in the engine; this page asks for steps and draws what comes back.

mod colors;
mod loss_chart;
mod plot;
pub mod state;

use crate::format;
use crate::labs::{self, Page};
use crate::widgets::transport::Transport;
use contract::limits::TrainingLimits;
use contract::optim::limits::OptimLimits;
use contract::optim::{OptimLab, Problem};
use contract::training::{LrSchedule, OptimizerName, Run};
use crate::page::Headed;
use leptos::prelude::*;
use loss_chart::LossChart;
use plot::ContourPlot;
use state::OptimSession;

/// Steps per request while playing, offered as "speed".
const SPEEDS: [usize; 4] = [1, 5, 20, 100];
const FRAGMENT: &str = contract::lab_fragment!(contract::optim::SLUG);

/// The optimizer lab in the registry.
pub fn page(opening: &str) -> Box<dyn Page> {
    labs::EngineRoom::boxed("Optimizers", FRAGMENT, opening, OptimSession::for_link, lab_page)
}

/// Changes the spec and restarts: every knob is part of the experiment (and of its URL).
fn change(state: RwSignal<OptimSession>, edit: impl FnOnce(&mut OptimLab)) {
    state.update(|s| {
        edit(&mut s.spec);
        s.playing = false;
    });
    labs::restart(state);
}

fn step_once(state: RwSignal<OptimSession>) {
    // Asked, not sent: the play loop sends it as soon as the engine is free (even mid-restart).
    state.update(OptimSession::step_once);
}

/// What the controls may do: every change of the experiment goes through `change` (and
/// restarts the race), a value that cannot be used through `refuse`.
#[derive(Clone, Copy)]
struct Actions {
    change: Callback<OptimLab>,
    refuse: Callback<String>,
    play: Callback<()>,
    step: Callback<()>,
    reset: Callback<()>,
    speed: Callback<usize>,
    arrows: Callback<bool>,
}

impl Actions {
    /// Applies `edit` to a copy of the experiment and asks for it.
    fn edit(&self, state: ReadSignal<OptimSession>, edit: impl FnOnce(&mut OptimLab)) {
        let mut spec = state.with_untracked(|s| s.spec.clone());
        edit(&mut spec);
        self.change.run(spec);
    }
}

/// What this part shows, under its title.
const LEDE: &str = concat!(
    "Gradient descent and its descendants race downhill from the same start. Each step moves ",
    "against the gradient — perpendicular to the level lines — by a learning rate η. Too large ",
    "and a path overshoots and oscillates, too small and it crawls; momentum, AdaGrad, RMSProp ",
    "and Adam each fix part of that. Click the plot to start from another point.",
);

/// The lab's page, inside the room that runs it.
fn lab_page(state: RwSignal<OptimSession>, _: Signal<bool>, restart: Callback<()>) -> AnyView {
    let pick = Callback::new(move |(x, y): (f32, f32)| {
        let round = |v: f32| (v * 1000.0).round() / 1000.0;
        change(state, |spec| spec.start = Some((round(x), round(y))));
    });
    let problem = move || state.with(|s| s.spec.problem);
    let actions = Actions {
        change: Callback::new(move |spec| change(state, |s| *s = spec)),
        refuse: Callback::new(move |message| state.update(|s| s.error = Some(message))),
        play: Callback::new(move |_| state.update(OptimSession::toggle_play)),
        step: Callback::new(move |_| step_once(state)),
        reset: Callback::new(move |_| {
            state.update(|s| s.playing = false);
            labs::restart(state)
        }),
        speed: Callback::new(move |n| state.update(|s| s.lab.speed = n)),
        arrows: Callback::new(move |on| state.update(|s| s.lab.show_arrows = on)),
    };
    view! {
        <Headed id="optim-title" title="Optimizers" class="panel lab" level=1 lede=LEDE>
            <labs::notices::Notices state=state restart=restart error_testid="lab-error" notes_testid="url-notes" />
            <div class="lab-grid">
                <div class="plot-column">
                    <ContourPlot state=state.read_only() on_pick=pick />
                    <p class="caption">
                        {move || match problem() {
                            Problem::Regression => format!(
                                "Mean squared error of y = w·x + b over {} noisy points of y = 2x − 1 (σ = 0.5). GD uses all points per step, SGD one, the others mini-batches of {}.",
                                state.with(|s| s.spec.points),
                                state.with(|s| s.spec.batch)
                            ),
                            Problem::Saddle => "f = x² − y²: a saddle point at the origin. Colour: loss (dark low, bright high); white lines: level sets.".to_string(),
                            _ => "Colour: loss (dark low, bright high); white lines: level sets; ✕: minimum; ■: start.".to_string(),
                        }}
                    </p>
                </div>
                <Controls state=state.read_only() actions=actions />
            </div>
            <h2>"Loss at every step"</h2>
            <LossChart state=state.read_only() />
            <ResultsTable state=state.read_only() />
            <h2>"The update rules"</h2>
            <UpdateRules state=state.read_only() />
            <crate::page::ShareBar label="Share this race" testid="share" link_testid="share-link"
                hint="Link copied — it replays this race to this step: " make=labs::share(state) />
        </Headed>
    }
    .into_any()
}

#[component]
fn Controls(state: ReadSignal<OptimSession>, actions: Actions) -> impl IntoView {
    let playing = move || state.with(|s| s.playing);
    let ready = move || state.with(|s| s.lab.contour.is_some());
    view! {
        <div class="controls-column">
            <Transport playing=Signal::derive(playing) can_play=Signal::derive(ready) play_label="▶ Play"
                on_play=actions.play on_step=actions.step on_reset=actions.reset />
            <p class="status">
                <span data-testid="step-count">{move || format!("step k = {}", state.with(|s| s.lab.run.step))}</span>
                {move || state.with(OptimSession::replaying).map(|to| view! {
                    <span class="hint" data-testid="replay-status">{format!(" · replaying the link to step {to}")}</span>
                })}
            </p>
            <label class="field">
                "Problem "
                <select data-testid="problem" on:change=move |ev| {
                    if let Some(p) = Problem::from_slug(&event_target_value(&ev)) {
                        actions.edit(state, |spec| { spec.problem = p; spec.start = None; });
                    }
                }>
                    {Problem::ALL.iter().map(|p| {
                        let slug = p.slug();
                        view! { <option value=slug selected=move || state.with(|s| s.spec.problem.slug() == slug)>{problem_label(*p)}</option> }
                    }).collect::<Vec<_>>()}
                </select>
            </label>
            <label class="field">
                "Speed "
                <select data-testid="speed" on:change=move |ev| {
                    if let Ok(n) = event_target_value(&ev).parse() { actions.speed.run(n) }
                }>
                    {SPEEDS.iter().map(|&n| view! { <option value=n.to_string() selected=move || state.with(|s| s.lab.speed == n)>{format!("{n} steps per frame")}</option> }).collect::<Vec<_>>()}
                </select>
            </label>

            <label class="field checkbox">
                <input type="checkbox" data-testid="arrows" prop:checked=move || state.with(|s| s.lab.show_arrows)
                    on:change=move |ev| actions.arrows.run(event_target_checked(&ev)) />
                " Show −∇L: the steepest-descent direction, normal to the level lines"
            </label>
            <DecaySettings state=state actions=actions />
            <fieldset class="racers">
                <legend>"Optimizers and their learning rate η"</legend>
                {OptimizerName::ALL.iter().map(|&name| view! { <RacerRow state=state actions=actions name=name /> }).collect::<Vec<_>>()}
            </fieldset>
        </div>
    }
}

fn problem_label(p: Problem) -> &'static str {
    match p {
        Problem::Bowl => "Bowl  x² + y²",
        Problem::Ravine => "Ravine  x²/2 + 10y²",
        Problem::Saddle => "Saddle  x² − y²",
        Problem::Rosenbrock => "Rosenbrock",
        Problem::Himmelblau => "Himmelblau",
        Problem::Regression => "Linear regression  y = wx + b",
    }
}

#[component]
fn RacerRow(state: ReadSignal<OptimSession>, actions: Actions, name: OptimizerName) -> impl IntoView {
    let index = move || state.with(|s| s.spec.runs.iter().position(|r| r.optimizer == name));
    // The fields follow this optimizer's settings only: bound to the whole state they were
    // rewritten by every frame, even between a typed value and its change event.
    let run = Memo::new(move |_| {
        state.with(|s| s.spec.runs.iter().find(|r| r.optimizer == name).copied())
    });
    let toggle = move |ev| {
        let on = event_target_checked(&ev);
        actions.edit(state, |spec| {
            if on && !spec.runs.iter().any(|r| r.optimizer == name) {
                spec.runs.push(Run::default_for(name));
            } else if !on && spec.runs.len() > 1 {
                spec.runs.retain(|r| r.optimizer != name);
            }
        });
    };
    let set_lr = move |ev| {
        if let Ok(lr) = event_target_value(&ev).parse::<f32>() {
            let run_index = index();
            let mut candidate =
                run_index.and_then(|i| state.with_untracked(|s| s.spec.runs.get(i).copied()));
            if let (Some(i), Some(run)) = (run_index, candidate.as_mut()) {
                run.lr = lr;
                match contract::limits::TrainingLimits::check_run(run) {
                    Ok(()) => actions.edit(state, |spec| spec.runs[i].lr = lr),
                    Err(message) => actions.refuse.run(message.to_string()),
                }
            }
        }
    };
    let slug = name.slug();
    let knob_inputs = name
        .knobs()
        .iter()
        .map(|&knob| {
            let set = move |ev| {
                let (Ok(value), Some(i)) = (event_target_value(&ev).parse::<f32>(), index()) else { return };
                let Some(mut run) = state.with_untracked(|s| s.spec.runs.get(i).copied()) else { return };
                run.set(knob, value);
                match contract::limits::TrainingLimits::check_run(&run) {
                    Ok(()) => actions.edit(state, |spec| spec.runs[i] = run),
                    Err(message) => actions.refuse.run(message.to_string()),
                }
            };
            view! {
                <label class="knob" title=knob.meaning()>
                    {knob.symbol()}
                    <input type="number" step="any" data-testid=format!("{slug}-{}", knob.slug())
                        prop:value=move || run.get().map(|r| r.get(knob).to_string()).unwrap_or_default()
                        on:change=set />
                </label>
            }
        })
        .collect::<Vec<_>>();
    view! {
        <div class="racer">
            <label>
                <input type="checkbox" data-testid=format!("use-{slug}") prop:checked=move || index().is_some() on:change=toggle />
                <span class="swatch" style=format!("background:{}", colors::of(name))></span>
                {colors::label(name)}
            </label>
            <input type="number" step="any" min="0" class="lr" data-testid=format!("lr-{slug}") aria-label=format!("learning rate of {}", colors::label(name))
                prop:value=move || run.get().map(|r| r.lr.to_string()).unwrap_or_default()
                disabled=move || index().is_none()
                on:change=set_lr />
            <Show when=move || index().is_some() && !name.knobs().is_empty()>
                <div class="knobs">{knob_inputs.clone()}</div>
            </Show>
        </div>
    }
}

#[component]
fn ResultsTable(state: ReadSignal<OptimSession>) -> impl IntoView {
    let rows = move || {
        state.with(|s| {
            s.lab
                .paths
                .iter()
                .map(|p| {
                    let (x, y) = p.points.last().copied().unwrap_or((f32::NAN, f32::NAN));
                    let loss = p.losses.last().copied().flatten();
                    let status = p.diverged.clone().unwrap_or_else(|| "running".to_string());
                    view! {
                        <tr data-testid=format!("result-{}", p.optimizer.slug()) data-point=format!("{x},{y}")>
                            <td><span class="swatch" style=format!("background:{}", colors::of(p.optimizer))></span>{colors::label(p.optimizer)}</td>
                            <td class="num">{format!("{}", p.lr)}</td>
                            <td class="num coords">{format!("({x:.4}, {y:.4})")}</td>
                            <td class="num">{loss.map_or("—".to_string(), |l| format!("{l:.4e}"))}</td>
                            <td class="status-cell">{status}</td>
                        </tr>
                    }
                })
                .collect::<Vec<_>>()
        })
    };
    view! {
        <table class="results" data-testid="optim-results">
            <thead>
                <tr><th>"optimizer"</th><th>"η now"</th><th>"current point"</th><th>"loss"</th><th>"status"</th></tr>
            </thead>
            <tbody>{rows}</tbody>
        </table>
        <p class="hint">{move || format!("{} — space plays or pauses, → takes one step.", format::steps(state.with(|s| s.lab.run.step)))}</p>
    }
}

/// Each racing optimizer's update as the engine computes it, and where it parts from the notes.
#[component]
fn UpdateRules(state: ReadSignal<OptimSession>) -> impl IntoView {
    let racing = Memo::new(move |_| state.with(|s| s.spec.runs.iter().map(|r| r.optimizer).collect::<Vec<_>>()));
    view! {
        <p class="hint">"g is the gradient of the step's loss at θ; g² and the divisions are taken element by element; t counts the steps from 1. η is ε in the notes (ε_k when it decays)."</p>
        <dl class="update-rules" data-testid="update-rules">
            {move || racing.get().into_iter().map(|name| {
                let rule = name.update_rule();
                view! {
                    <dt><span class="swatch" style=format!("background:{}", colors::of(name))></span>{colors::label(name)}</dt>
                    <dd>
                        <code class="formula" data-testid=format!("rule-{}", name.slug())>{rule.rule}</code>
                        <span class="hint">{rule.note}</span>
                    </dd>
                }
            }).collect::<Vec<_>>()}
        </dl>
    }
}

/// The notes' linear decay: on/off, T and ε_T/ε₀, and ε_k/ε₀ plotted against k.
#[component]
fn DecaySettings(state: ReadSignal<OptimSession>, actions: Actions) -> impl IntoView {
    // A memo: the block (and its fields) is rebuilt when the schedule changes, not every frame.
    let schedule = Memo::new(move |_| state.with(|s| s.spec.schedule));
    let decay = move || match schedule.get() {
        LrSchedule::LinearDecay { final_ratio, steps } => Some((final_ratio, steps)),
        LrSchedule::Constant => None,
    };
    let set = move |ratio: f32, steps: usize| {
        let schedule = LrSchedule::LinearDecay {
            final_ratio: ratio,
            steps,
        };
        match TrainingLimits::check_schedule(&schedule, OptimLimits::MAX_STEPS) {
            Ok(()) => actions.edit(state, |spec| spec.schedule = schedule),
            Err(message) => actions.refuse.run(message.to_string()),
        }
    };
    view! {
        <label class="field checkbox">
            <input type="checkbox" data-testid="decay" prop:checked=move || decay().is_some()
                on:change=move |ev| {
                    let on = event_target_checked(&ev);
                    actions.edit(state, |spec| spec.schedule = if on { LrSchedule::LinearDecay { final_ratio: 0.01, steps: 500 } } else { LrSchedule::Constant });
                } />
            " Linear decay of η (the notes' ε_k = (1 − k/T)·ε₀ + (k/T)·ε_T)"
        </label>
        {move || decay().map(|(ratio, steps)| {
            let (w, h, pad) = (250.0, 90.0, 26.0);
            let end = steps as f64 * 1.5;
            let px = move |k: f64| pad + (w - pad - 6.0) * k / end;
            let py = move |r: f64| 6.0 + (h - 6.0 - 20.0) * (1.0 - r);
            let d = format!("M{},{} L{},{} L{},{}", px(0.0), py(1.0), px(steps as f64), py(ratio as f64), px(end), py(ratio as f64));
            view! {
                <div class="decay">
                    <label class="knob">"T" <input type="number" min="1" data-testid="decay-steps" prop:value=steps.to_string()
                        on:change=move |ev| { if let Ok(t) = event_target_value(&ev).parse::<usize>() { set(ratio, t) } } /></label>
                    <label class="knob">"ε_T/ε₀" <input type="number" step="any" data-testid="decay-ratio" prop:value=ratio.to_string()
                        on:change=move |ev| { if let Ok(r) = event_target_value(&ev).parse::<f32>() { set(r, steps) } } /></label>
                    <svg class="schedule" viewBox=format!("0 0 {w} {h}") role="img" aria-label="η_k divided by η_0 against the step k">
                        <line class="axis" x1=pad x2=w - 6.0 y1=py(0.0) y2=py(0.0) />
                        <line class="axis" x1=pad x2=pad y1=py(1.0) y2=py(0.0) />
                        <path d=d fill="none" stroke="#3a5bd9" stroke-width="2" />
                        <text class="tick" x=pad - 4.0 y=py(1.0) + 4.0 text-anchor="end">"1"</text>
                        <text class="tick" x=pad - 4.0 y=py(0.0) + 4.0 text-anchor="end">"0"</text>
                        <text class="tick" x=px(steps as f64) y=h - 6.0 text-anchor="middle">{format!("T = {steps}")}</text>
                        <text class="tick" x=w - 8.0 y=h - 6.0 text-anchor="end">"k"</text>
                        <text class="tick" x=pad + 4.0 y=py(1.0) + 12.0>"η_k / η₀"</text>
                    </svg>
                </div>
            }
        })}
    }
}
