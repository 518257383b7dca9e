//! A layer's (or the merged filesystem's) files as `ls -l` rows, a page at a time: the worker
//! filters, sorts and pages, so a listing of a million entries never reaches the DOM whole.

use leptos::prelude::*;

use crate::app::Nav;
use crate::jobs::{Row, RowState};
use crate::layers::{Listing, PAGE_ROWS};
use crate::oci::model::human_size;

fn state_cell(state: RowState, labels: &[String]) -> AnyView {
    let label = |by: u32| {
        labels
            .get(by as usize)
            .cloned()
            .unwrap_or_else(|| format!("layer {}", by + 1))
    };
    match state {
        RowState::Live => ().into_any(),
        RowState::Deleted { by } => view! { <span class="state deleted">{format!("deleted by {}", label(by))}</span> }.into_any(),
        RowState::Overwritten { by } => view! { <span class="state overwritten">{format!("overwritten by {}", label(by))}</span> }.into_any(),
        RowState::Whiteout => view! { <span class="state whiteout">"whiteout"</span> }.into_any(),
    }
}

fn row_view(nav: Nav, row: Row, merged: bool, labels: &[String]) -> AnyView {
    let hidden = row.state != RowState::Live;
    let path = row.path.clone();
    let href = nav.href(|r| r.path = Some(path.clone()));
    let layer = merged.then(|| {
        let text = labels
            .get(row.layer as usize)
            .cloned()
            .unwrap_or_else(|| format!("layer {}", row.layer + 1));
        view! { <td class="layer-badge">{text}</td> }
    });
    let link = row.link.clone().map(|l| {
        let arrow = if row.kind == 'h' { " link to " } else { " -> " };
        view! { <span class="link-target">{arrow}{l}</span> }
    });
    let flags = (!row.flags.is_empty()).then(|| {
        view! { <span class="flags" data-fact="flags">{format!(" [{}]", row.flags.join(", "))}</span> }
    });
    view! {
        <tr class:hidden-entry=hidden data-path=row.shown.clone()>
            <td><code>{row.mode.clone()}</code></td>
            <td>{format!("{}/{}", row.uid, row.gid)}</td>
            <td class="num" title=format!("{} bytes", row.size)>{row.size.to_string()}</td>
            <td>{row.mtime.clone()}</td>
            <td class="path">
                <a href=href on:click=move |ev| {
                    ev.prevent_default();
                    nav.update(|r| r.path = Some(path.clone()));
                }>{format!("/{}", row.shown)}</a>
                {link}
                {flags}
                " "
                {state_cell(row.state, labels)}
                {row.mark.map(|m| view! { " " <span class=format!("mark {}", m.name())>{m.name()}</span> })}
            </td>
            {layer}
        </tr>
    }
    .into_any()
}

#[component]
pub fn FileList(
    listing: Listing,
    /// Rows of several layers: show each row's layer, and the hidden-rows toggle.
    merged: bool,
    /// Names of the layers (merged view), lowest first.
    layer_labels: Vec<String>,
) -> impl IntoView {
    let nav = expect_context::<Nav>();
    let set_query = move |change: &dyn Fn(&mut crate::jobs::ListQuery)| {
        listing.query.update(|q| {
            change(q);
        })
    };
    let labels = StoredValue::new(layer_labels.clone());
    let rows = move || {
        listing
            .rows
            .get()
            .into_iter()
            .map(|row| labels.with_value(|l| row_view(nav, row, merged, l)))
            .collect_view()
    };
    let range = move || {
        let q = listing.query.get();
        let total = listing.total.get();
        let end = (q.offset + u64::from(q.limit)).min(total);
        if total == 0 {
            "no entries match".to_owned()
        } else {
            format!("entries {}–{end} of {total}", q.offset + 1)
        }
    };
    let layer_select = merged.then(|| {
        view! {
            <label>
                "Layer "
                <select id="layer-filter" on:change=move |ev| {
                    // "3" is "layer 3 only" (what it changed), "3+" is "up to layer 3".
                    let v = event_target_value(&ev);
                    let up_to = v.ends_with('+');
                    set_query(&|q| { q.layer = v.trim_end_matches('+').parse().ok(); q.up_to = up_to; q.offset = 0; });
                }>
                    <option value="">"all (merged)"</option>
                    {layer_labels.iter().enumerate().map(|(i, l)| view! {
                        <option value=i.to_string()>{format!("{l} only (what it changed)")}</option>
                        <option value=format!("{i}+")>{format!("up to {l}")}</option>
                    }.into_any()).collect_view()}
                </select>
            </label>
            <label>
                <input id="show-hidden" type="checkbox" on:change=move |ev| {
                    let on = event_target_checked(&ev);
                    set_query(&|q| { q.show_hidden = on; q.offset = 0; });
                } />
                " show deleted and overwritten entries"
            </label>
        }
    });
    view! {
        <section class="file-list">
            <form class="filter" on:submit=|ev| ev.prevent_default()>
                <label for="file-filter">"Find"</label>
                <input id="file-filter" type="search" spellcheck="false" autocomplete="off"
                    placeholder="part of a path" on:input=move |ev| {
                        let text = event_target_value(&ev);
                        set_query(&|q| { q.text = text.clone(); q.offset = 0; });
                    } />
                <label for="file-prefix">"Under"</label>
                <input id="file-prefix" type="text" spellcheck="false" autocomplete="off"
                    placeholder="usr/lib/" on:input=move |ev| {
                        let text = event_target_value(&ev);
                        set_query(&|q| { q.prefix = text.trim_start_matches('/').as_bytes().to_vec(); q.offset = 0; });
                    } />
                <label>
                    <input id="sort-size" type="checkbox" on:change=move |ev| {
                        let on = event_target_checked(&ev);
                        set_query(&|q| { q.sort_by_size = on; q.offset = 0; });
                    } />
                    " largest first"
                </label>
                {layer_select}
            </form>
            <p class="hint" data-fact="listing-range">{range}</p>
            {move || listing.error.get().map(|e| view! { <p class="input-error" role="alert">{e}</p> })}
            <div class="table-wrap">
                <table class="files">
                    <thead><tr>
                        <th>"Mode"</th><th>"uid/gid"</th><th>"Size"</th><th>"Modified (UTC)"</th><th>"Path"</th>
                        {merged.then(|| view! { <th>"Layer"</th> })}
                    </tr></thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
            <p class="pager">
                <button id="rows-prev" type="button"
                    disabled=move || listing.query.get().offset == 0
                    on:click=move |_| set_query(&|q| q.offset = q.offset.saturating_sub(u64::from(PAGE_ROWS)))>"Previous"</button>
                " "
                <button id="rows-next" type="button"
                    disabled=move || { let q = listing.query.get(); q.offset + u64::from(q.limit) >= listing.total.get() }
                    on:click=move |_| set_query(&|q| q.offset += u64::from(PAGE_ROWS))>"Next"</button>
                " "
                <span class="hint">{move || human_size(listing.rows.get().iter().map(|r| r.size).sum())} " on this page"</span>
            </p>
        </section>
    }
}
