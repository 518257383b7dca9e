//! A table of descriptors (layers, blobs, a config, a subject): position, media type as a
//! short name with the full type on hover, compression, size (human and exact), digest link,
//! annotations and foreign `urls`. Long lists are paged.

use leptos::prelude::*;

use super::show_more::PAGE;
use super::{DigestFieldLink, ShowMore, Target};
use crate::oci::media_type::{compression, short_name};
use crate::oci::model::{human_size, safe_link, Descriptor};

/// "1.5 MiB" with the exact byte count on hover; negative or missing sizes say so.
pub fn size_cell(size: Option<i64>) -> AnyView {
    match size {
        Some(n) if n >= 0 => {
            let exact = format!("{n} bytes");
            view! { <span class="size" title=exact>{human_size(n as u64)}</span> }.into_any()
        }
        Some(n) => view! { <span class="invalid">{format!("{n} (invalid)")}</span> }.into_any(),
        None => view! { <span class="missing">"missing"</span> }.into_any(),
    }
}

fn media_type_cell(media_type: Option<String>) -> impl IntoView {
    match media_type {
        Some(mt) => {
            let short = short_name(&mt)
                .map(str::to_owned)
                .unwrap_or_else(|| mt.clone());
            view! { <abbr class="media-type" title=mt>{short}</abbr> }.into_any()
        }
        None => view! { <span class="missing">"missing"</span> }.into_any(),
    }
}

fn row(d: Descriptor, position: Option<usize>) -> AnyView {
    let compression = d.media_type.as_deref().and_then(compression).unwrap_or("");
    let annotations = d
        .annotations
        .0
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>();
    let urls = d
        .urls
        .into_iter()
        .map(|url| match safe_link(&url) {
            Some(href) => {
                view! { <li><a href=href rel="noopener noreferrer nofollow">{url}</a></li> }
                    .into_any()
            }
            None => view! { <li><code>{url}</code></li> }.into_any(),
        })
        .collect_view();
    view! {
        <tr data-pointer=d.pointer>
            {position.map(|p| view! { <td class="num">{p}</td> })}
            <td>{media_type_cell(d.media_type.clone())}</td>
            <td>{compression}</td>
            <td class="num">{size_cell(d.size)}</td>
            <td><DigestFieldLink field=d.digest target=Target::of(d.media_type.clone(), d.size) /></td>
            <td class="small">
                {annotations.into_iter().map(|a| view! { <div><code>{a}</code></div> }).collect_view()}
                <ul class="urls">{urls}</ul>
            </td>
        </tr>
    }
    .into_any()
}

#[component]
pub fn DescriptorTable(
    descriptors: Vec<Descriptor>,
    #[prop(optional)] numbered: bool,
    #[prop(into)] caption: String,
) -> impl IntoView {
    let total = descriptors.len();
    let shown = RwSignal::new(PAGE);
    let descriptors = StoredValue::new(descriptors);
    let rows = move || {
        let limit = shown.get();
        descriptors.with_value(|ds| {
            ds.iter()
                .take(limit)
                .cloned()
                .enumerate()
                .map(|(i, d)| row(d, numbered.then_some(i)))
                .collect_view()
        })
    };
    view! {
        <div class="table-wrap">
            <table class="descriptors">
                <caption>{caption}</caption>
                <thead>
                    <tr>
                        {numbered.then(|| view! { <th scope="col">"#"</th> })}
                        <th scope="col">"Media type"</th>
                        <th scope="col">"Compression"</th>
                        <th scope="col">"Size"</th>
                        <th scope="col">"Digest"</th>
                        <th scope="col">"Annotations / URLs"</th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
        <ShowMore shown total />
    }
}
