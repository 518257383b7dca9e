//! An image config: platform, runtime defaults, labels, and the history as a Dockerfile-like
//! list with each layer-creating step tied to its layer (and its size, when the manifest that
//! uses this config is known).

use leptos::prelude::*;

use super::descriptor_table::size_cell;
use super::{AnnotationsTable, DigestFieldLink, Target};
use crate::oci::model::{Descriptor, ImageConfig};

fn list(items: Vec<String>) -> impl IntoView {
    if items.is_empty() {
        return view! { <span class="missing">"—"</span> }.into_any();
    }
    view! { <ul class="plain">{items.into_iter().map(|i| view! { <li><code>{i}</code></li> }).collect_view()}</ul> }
        .into_any()
}

fn opt(value: Option<String>) -> impl IntoView {
    match value {
        Some(v) => view! { <code>{v}</code> }.into_any(),
        None => view! { <span class="missing">"—"</span> }.into_any(),
    }
}

/// `["python", "-m", "app"]` as the exec form a Dockerfile would show.
fn exec_form(args: &[String]) -> Option<String> {
    (!args.is_empty()).then(|| format!("{args:?}"))
}

#[component]
pub fn ConfigView(config: ImageConfig, layers: Option<Vec<Descriptor>>) -> impl IntoView {
    let steps = config.history_steps(layers.as_deref());
    let mismatch = config.mismatch(layers.as_deref());
    let platform = [
        config.os.clone(),
        config.architecture.clone(),
        config.variant.clone(),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>()
    .join("/");
    let step_rows = steps
        .into_iter()
        .map(|s| {
            let class = if s.empty_layer { "step empty" } else { "step" };
            let layer = s
                .layer_index
                .map(|i| format!("layer {i}"))
                .unwrap_or_default();
            let size = s.layer.as_ref().map(|l| size_cell(l.size).into_any());
            let digest = s.layer.map(|l| {
                let target = Target::of(l.media_type, l.size);
                view! { <DigestFieldLink field=l.digest target /> }
            });
            view! {
                <tr class=class data-pointer=s.pointer>
                    <td class="num">{s.history_index}</td>
                    <td><code class="instruction">{s.instruction.unwrap_or_default()}</code></td>
                    <td>{layer}</td>
                    <td class="num">{size}</td>
                    <td>{digest}</td>
                    <td class="small">{s.created.unwrap_or_default()}</td>
                </tr>
            }
            .into_any()
        })
        .collect_view();
    view! {
        <section class="config">
            <dl class="facts">
                <dt>"Platform"</dt>
                <dd data-fact="config-platform">{platform}</dd>
                {config.os_version.map(|v| view! { <dt>"OS version"</dt> <dd>{v}</dd> })}
                <dt>"Created"</dt>
                <dd>{opt(config.created)}</dd>
                <dt>"Author"</dt>
                <dd>{opt(config.author)}</dd>
                <dt>"Entrypoint"</dt>
                <dd data-fact="entrypoint">{opt(exec_form(&config.entrypoint))}</dd>
                <dt>"Cmd"</dt>
                <dd data-fact="cmd">{opt(exec_form(&config.cmd))}</dd>
                <dt>"Working dir"</dt>
                <dd>{opt(config.working_dir)}</dd>
                <dt>"User"</dt>
                <dd>{opt(config.user)}</dd>
                <dt>"Exposed ports"</dt>
                <dd>{list(config.exposed_ports)}</dd>
                <dt>"Volumes"</dt>
                <dd>{list(config.volumes)}</dd>
                <dt>"Stop signal"</dt>
                <dd>{opt(config.stop_signal)}</dd>
                <dt>"Environment"</dt>
                <dd data-fact="env">{list(config.env)}</dd>
            </dl>
            <AnnotationsTable annotations=config.labels title="Labels" />
            <h3>"History"</h3>
            {mismatch.map(|m| view! { <p class="finding" data-severity="warning" role="note">{m.to_string()}</p> })}
            {layers.is_none().then(|| view! {
                <p class="hint">"No manifest using this config is known here, so layer sizes are not shown."</p>
            })}
            <div class="table-wrap">
                <table class="history">
                    <thead>
                        <tr>
                            <th scope="col">"#"</th>
                            <th scope="col">"Step"</th>
                            <th scope="col">"Layer"</th>
                            <th scope="col">"Size"</th>
                            <th scope="col">"Layer digest"</th>
                            <th scope="col">"Created"</th>
                        </tr>
                    </thead>
                    <tbody data-fact="history">{step_rows}</tbody>
                </table>
            </div>
            <h3>"rootfs.diff_ids"</h3>
            <p class="hint">"Digests of the uncompressed layers, in layer order."</p>
            <ol class="diff-ids" start="0">
                {config.diff_ids.into_iter().map(|d| view! { <li><code>{d}</code></li> }).collect_view()}
            </ol>
        </section>
    }
}
