//! The equivalent command lines for what is on screen, to copy into a terminal.

use leptos::prelude::*;

use super::CopyButton;

#[component]
pub fn Commands(commands: Vec<(&'static str, String)>) -> impl IntoView {
    view! {
        <section class="commands">
            <h3>"Command line equivalents"</h3>
            <ul>
                {commands
                    .into_iter()
                    .map(|(tool, line)| view! {
                        <li>
                            <span class="tool">{tool}</span>
                            <code>{line.clone()}</code>
                            <CopyButton text=line what="command" />
                        </li>
                    })
                    .collect_view()}
            </ul>
        </section>
    }
}
