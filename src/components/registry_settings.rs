//! Registry access: a login kept in this tab's memory only, and the proxy prefix for
//! registries that send no CORS headers (kept in the permalink; credentials never are). It
//! says which way registries are reached, and what a proxy's operator can and cannot do.

use leptos::prelude::*;

use crate::app::{build_proxy, Nav};
use crate::client::Session;
use crate::registry::Credentials;
use crate::route::{valid_proxy_prefix, ProxyMode};

/// What the person is told about `mode`, where they type credentials.
fn describe(mode: ProxyMode) -> String {
    let (prefix, whose) = match mode {
        ProxyMode::Direct => {
            return "Direct: this page talks to registries itself (they must send CORS headers)."
                .into()
        }
        ProxyMode::Default(p) => (p, "this site's default"),
        ProxyMode::Chosen(p) => (p, "chosen by you"),
    };
    format!(
        "Through the proxy {prefix} ({whose}): it sees your credentials and what you fetch, but \
         cannot fake content: every digest is checked here."
    )
}

#[component]
pub fn RegistrySettings() -> impl IntoView {
    let nav = expect_context::<Nav>();
    let session = expect_context::<StoredValue<Session, LocalStorage>>();
    let (user, set_user) = signal(String::new());
    let (secret, set_secret) = signal(String::new());
    let (status, set_status) = signal(session.with_value(Session::username));
    let (error, set_error) = signal(None::<String>);
    let proxy = nav
        .route
        .with_untracked(|r| r.proxy.clone().unwrap_or_default());
    let (proxy_text, set_proxy_text) = signal(proxy);

    let log_in = move |_| match Credentials::new(&user.get_untracked(), &secret.get_untracked()) {
        Ok(credentials) => {
            session.with_value(|s| s.set_credentials(Some(credentials)));
            set_secret.set(String::new());
            set_error.set(None);
            set_status.set(session.with_value(Session::username));
            // Fetch again with the new identity.
            nav.route.update(|_| {});
            nav.identity.update(|n| *n += 1);
        }
        Err(e) => set_error.set(Some(e.to_string())),
    };
    let log_out = move |_| {
        session.with_value(|s| s.set_credentials(None));
        set_status.set(None);
        nav.identity.update(|n| *n += 1);
    };
    let mode = move || {
        nav.route
            .with(|r| describe(ProxyMode::of(r.proxy.as_deref(), build_proxy().as_deref())))
    };
    let apply_proxy = move |_| {
        let text = proxy_text.get_untracked();
        let trimmed = text.trim();
        if trimmed.is_empty() || valid_proxy_prefix(trimmed) {
            set_error.set(None);
            nav.set_proxy((!trimmed.is_empty()).then(|| trimmed.to_owned()));
        } else {
            set_error.set(Some(
                "the proxy prefix must be an http(s) URL or a path on this site, e.g. /proxy/"
                    .into(),
            ));
        }
    };
    view! {
        <details class="registry-settings">
            <summary>
                "Registry access"
                {move || status.get().map(|u| format!(" — signed in as {u}"))}
            </summary>
            <div class="settings-grid">
                <label for="reg-user">"Username"</label>
                <input id="reg-user" type="text" autocomplete="off" spellcheck="false"
                    prop:value=user on:input=move |ev| set_user.set(event_target_value(&ev)) />
                <label for="reg-secret">"Password or access token"</label>
                <input id="reg-secret" type="password" autocomplete="off"
                    prop:value=secret on:input=move |ev| set_secret.set(event_target_value(&ev)) />
                <div class="buttons">
                    <button id="reg-login" type="button" on:click=log_in>"Use these credentials"</button>
                    <button id="reg-logout" type="button" on:click=log_out>"Forget them"</button>
                </div>
                <p class="hint">
                    "Kept in this tab's memory only: never stored, never put in a URL, sent only to the "
                    "registry and its token server (another host only after you agree)."
                </p>
                <p class="proxy-mode" data-fact="proxy-mode">{mode}</p>
                <label for="reg-proxy">"Proxy prefix"</label>
                <input id="reg-proxy" type="text" autocomplete="off" spellcheck="false" placeholder="/proxy/ or https://explorer.example/proxy/"
                    prop:value=proxy_text on:input=move |ev| set_proxy_text.set(event_target_value(&ev)) />
                <div class="buttons">
                    <button id="reg-proxy-apply" type="button" on:click=apply_proxy>"Use proxy"</button>
                    <button id="reg-proxy-direct" type="button" on:click=move |_| {
                        set_proxy_text.set(String::new());
                        nav.set_proxy(None);
                    }>"Go direct"</button>
                </div>
                <p class="hint">
                    "Most public registries send no CORS headers, so a browser cannot read them directly: "
                    "through a proxy, requests go to PREFIX + host + path (see deploy/ in the source)."
                </p>
            </div>
            {move || error.get().map(|e| view! { <p class="input-error" role="alert">{e}</p> })}
        </details>
    }
}
