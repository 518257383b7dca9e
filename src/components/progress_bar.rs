//! A download's progress: bytes of total, speed, time left, and a cancel button. Integer
//! arithmetic only (the page carries no float formatting).

use leptos::prelude::*;

use crate::layers::Progress;
use crate::oci::model::human_size;

fn speed_and_eta(p: &Progress) -> String {
    if p.elapsed_ms == 0 || p.received == 0 {
        return String::new();
    }
    let per_second = p.received.saturating_mul(1000) / p.elapsed_ms;
    let eta = p
        .total
        .filter(|&t| t > p.received && per_second > 0)
        .map(|t| format!(", about {} s left", (t - p.received).div_ceil(per_second)))
        .unwrap_or_default();
    format!(" · {}/s{eta}", human_size(per_second))
}

#[component]
pub fn ProgressBar(progress: Progress, on_cancel: Callback<()>) -> impl IntoView {
    let of_total = progress
        .total
        .map(|t| format!(" of {}", human_size(t)))
        .unwrap_or_default();
    let unpacked = (progress.uncompressed > 0).then(|| {
        format!(
            " · {} unpacked, {} entries",
            human_size(progress.uncompressed),
            progress.entries
        )
    });
    view! {
        <div class="progress" role="status" data-fact="progress">
            <progress
                max=progress.total.unwrap_or(0).to_string()
                value=progress.received.to_string()
            ></progress>
            <span>
                {format!("{}{of_total}", human_size(progress.received))}
                {speed_and_eta(&progress)}
                {unpacked}
            </span>
            " "
            <button id="cancel" type="button" on:click=move |_| on_cancel.run(())>"Cancel"</button>
        </div>
    }
}
