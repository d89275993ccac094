//! The page of a lab that trains in slices, around the lab's own sections: its title and lede,
//! what its link could not use and the last error, its ready-made experiments, and Share at
//! the end. Test ids carry the lab's slug: `{slug}-error`, `{slug}-url-notes`,
//! `{slug}-preset-{i}`, `{slug}-share`, `{slug}-share-link`.

use super::session::{LabState, Session};
use super::Presets;
use contract::link::Link;
use contract::Protocol;
use leptos::prelude::*;

#[component]
pub fn LabPage<L>(
    state: RwSignal<Session<L>>,
    /// Restarts the engine worker (for the error notice).
    restart: Callback<()>,
    title: &'static str,
    lede: &'static str,
    presets: &'static [(&'static str, &'static str)],
    /// What Share's link trains: "the same network", "the same three models".
    trains: &'static str,
    children: Children,
) -> impl IntoView
where
    L: LabState + Send + Sync + 'static,
    Session<L>: Send + Sync,
    <L::Protocol as Protocol>::Spec: Link + Clone,
{
    let slug = <L::Protocol as Protocol>::SLUG;
    let hint = format!("Link copied — it trains {trains} to this step, with the same numbers: ");
    view! {
        <section class=format!("panel lab {slug}-lab") aria-labelledby=format!("{slug}-title")>
            <h1 id=format!("{slug}-title")>{title}</h1>
            <p class="lede">{lede}</p>
            <super::notices::Notices state=state restart=restart
                error_testid=format!("{slug}-error") notes_testid=format!("{slug}-url-notes") />
            <Presets prefix=slug presets=presets />
            {children()}
            <crate::page::ShareBar label="Share this experiment" hint=hint
                testid=format!("{slug}-share") link_testid=format!("{slug}-share-link")
                make=super::share(state) />
        </section>
    }
}
