//! An index or manifest list: one row per platform image, with its attestations (BuildKit
//! provenance / SBOM manifests) grouped under the image they describe instead of being shown
//! as `unknown/unknown` platforms.

use leptos::prelude::*;

use super::descriptor_table::size_cell;
use super::show_more::PAGE;
use super::{AnnotationsTable, DigestFieldLink, ShowMore, Target};
use crate::oci::media_type::short_name;
use crate::oci::model::{Entry, EntryKind, Index};

fn entry_row(entry: Entry, attestation: bool) -> AnyView {
    let label = entry.label();
    let platform = match &entry.kind {
        EntryKind::Platform(p) => Some(p.clone()),
        _ => None,
    };
    let os_version = platform
        .as_ref()
        .and_then(|p| p.os_version.clone())
        .unwrap_or_default();
    let features = platform
        .map(|p| [p.os_features, p.features].concat().join(", "))
        .unwrap_or_default();
    let d = entry.descriptor;
    let media_type = d.media_type.clone().unwrap_or_default();
    let short = short_name(&media_type).unwrap_or("").to_owned();
    let class = if attestation { "attestation" } else { "image" };
    view! {
        <tr class=class data-pointer=d.pointer>
            <td class="num">{entry.position}</td>
            <td data-fact="platform">
                {attestation.then_some("↳ ")}
                {label}
            </td>
            <td>{os_version}</td>
            <td>{features}</td>
            <td><abbr title=media_type>{short}</abbr></td>
            <td class="num">{size_cell(d.size)}</td>
            <td><DigestFieldLink field=d.digest target=Target::of(d.media_type.clone(), d.size) /></td>
        </tr>
    }
    .into_any()
}

#[component]
pub fn IndexView(index: Index) -> impl IntoView {
    let groups = index.platform_groups();
    let total = groups.groups.len();
    let platform_count = groups
        .groups
        .iter()
        .filter(|g| matches!(g.image.kind, EntryKind::Platform(_)))
        .count();
    let attestation_count: usize = groups.groups.iter().map(|g| g.attestations.len()).sum();
    let orphans = groups.orphans;
    let shown = RwSignal::new(PAGE);
    let all = StoredValue::new(groups.groups);
    let rows = move || {
        let limit = shown.get();
        all.with_value(|gs| {
            gs.iter()
                .take(limit)
                .cloned()
                .map(|g| {
                    view! {
                        {entry_row(g.image, false)}
                        {g.attestations.into_iter().map(|a| entry_row(a, true)).collect_view()}
                    }
                })
                .collect_view()
        })
    };
    let orphan_rows = (!orphans.is_empty()).then(|| {
        view! {
            <h3>"Attestations whose image is not in this index"</h3>
            <div class="table-wrap">
                <table>
                    <tbody>{orphans.into_iter().map(|o| entry_row(o, true)).collect_view()}</tbody>
                </table>
            </div>
        }
    });
    view! {
        <section class="index">
            <dl class="facts">
                {index.artifact_type.map(|t| view! {
                    <dt>"Artifact type"</dt>
                    <dd><code>{t}</code></dd>
                })}
                <dt>"Entries"</dt>
                <dd data-fact="entry-count">{index.manifests.len()}</dd>
                <dt>"Platforms"</dt>
                <dd data-fact="platform-count">{platform_count}</dd>
                <dt>"Attestations"</dt>
                <dd data-fact="attestation-count">{attestation_count}</dd>
                {index.subject.map(|s| view! {
                    <dt>"Subject"</dt>
                    <dd data-fact="subject"><DigestFieldLink field=s.digest target=Target::of(s.media_type, s.size) /></dd>
                })}
            </dl>
            <div class="table-wrap">
                <table class="platforms">
                    <caption>"Manifests"</caption>
                    <thead>
                        <tr>
                            <th scope="col">"#"</th>
                            <th scope="col">"Platform"</th>
                            <th scope="col">"OS version"</th>
                            <th scope="col">"Features"</th>
                            <th scope="col">"Media type"</th>
                            <th scope="col">"Size"</th>
                            <th scope="col">"Digest"</th>
                        </tr>
                    </thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
            <ShowMore shown total />
            {orphan_rows}
            <AnnotationsTable annotations=index.annotations title="Annotations" />
        </section>
    }
}
