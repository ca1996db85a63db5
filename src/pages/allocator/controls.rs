//! The playback controls: reset, back, play, pause, forward, the timeline and the speed.

use leptos::prelude::*;

use crate::i18n::{t, t_string, use_i18n};
use crate::viz::player::{Player, SPEEDS};

#[component]
pub fn Controls(player: RwSignal<Player>, len: Memo<usize>) -> impl IntoView {
    let i18n = use_i18n();
    let step = Memo::new(move |_| player.with(|p| p.step));
    let playing = Memo::new(move |_| player.with(|p| p.playing));
    let speed = Memo::new(move |_| player.with(|p| p.speed));
    view! {
        <div class="controls" role="group" aria-label=move || t_string!(i18n, alloc.playback)>
            <button data-testid="reset" title=move || t_string!(i18n, alloc.reset_title) on:click=move |_| player.update(Player::reset)><svg viewBox="0 0 16 16" width="14" height="14" aria-hidden="true"><path d="M3 2h2v12H3zM14 2v12L6 8z" fill="currentColor"/></svg><span class="sr">{t!(i18n, alloc.reset)}</span></button>
            <button data-testid="step-back" title=move || t_string!(i18n, alloc.back_title) on:click=move |_| player.update(Player::back)>{t!(i18n, alloc.back)}</button>
            <button data-testid="play" class="primary" title=move || t_string!(i18n, alloc.play_title) disabled=move || playing.get() on:click=move |_| player.update(Player::play)><svg viewBox="0 0 16 16" width="14" height="14" aria-hidden="true"><path d="M4 2l10 6-10 6z" fill="currentColor"/></svg>" "{t!(i18n, alloc.play)}</button>
            <button data-testid="pause" title=move || t_string!(i18n, alloc.pause_title) disabled=move || !playing.get() on:click=move |_| player.update(Player::pause)><svg viewBox="0 0 16 16" width="14" height="14" aria-hidden="true"><path d="M3 2h4v12H3zM9 2h4v12H9z" fill="currentColor"/></svg>" "{t!(i18n, alloc.pause)}</button>
            <button data-testid="step" title=move || t_string!(i18n, alloc.forward_title) on:click=move |_| player.update(Player::forward)>{t!(i18n, alloc.forward)}</button>
            <input
                type="range"
                class="timeline"
                data-testid="timeline"
                aria-label=move || t_string!(i18n, alloc.timeline)
                min="0"
                max=move || len.get().to_string()
                prop:value=move || step.get().to_string()
                on:input=move |ev| {
                    if let Ok(s) = event_target_value(&ev).parse::<usize>() {
                        player.update(|p| {
                            p.pause();
                            p.seek(s);
                        });
                    }
                }
            />
            <label class="speed">
                {t!(i18n, alloc.speed)}" "
                <select
                    data-testid="speed"
                    on:change=move |ev| {
                        if let Ok(s) = event_target_value(&ev).parse::<f64>() {
                            player.update(|p| p.speed = s);
                        }
                    }
                >
                    {SPEEDS
                        .into_iter()
                        .map(|s| view! { <option value=s.to_string() selected=move || speed.get() == s>{format!("{s}×")}</option> })
                        .collect_view()}
                </select>
            </label>
        </div>
    }
}
