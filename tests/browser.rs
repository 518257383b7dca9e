//! Component tests in a real browser (headless Chromium via wasm-bindgen-test-runner):
//! `cargo test --target wasm32-unknown-unknown --test browser`.
#![cfg(target_arch = "wasm32")]

use leptos::prelude::*;
use manifest_explorer::app::App;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::{Element, HtmlElement, HtmlTextAreaElement};

wasm_bindgen_test_configure!(run_in_browser);

/// Mounts the whole app into a fresh container and returns the container.
fn mount_app() -> Element {
    let document = document();
    let container = document.create_element("div").unwrap();
    document.body().unwrap().append_child(&container).unwrap();
    let handle = leptos::mount::mount_to(container.clone().unchecked_into(), App);
    // The view must outlive this function; the test page is discarded afterwards.
    std::mem::forget(handle);
    container
}

fn query(root: &Element, selector: &str) -> Element {
    root.query_selector(selector)
        .unwrap()
        .unwrap_or_else(|| panic!("no element matches {selector}"))
}

fn text(root: &Element, selector: &str) -> String {
    query(root, selector).text_content().unwrap_or_default()
}

/// Types `input` into the box the way a person does and presses Inspect.
async fn submit(root: &Element, input: &str) {
    let area: HtmlTextAreaElement = query(root, "#input").unchecked_into();
    area.set_value(input);
    let init = web_sys::EventInit::new();
    init.set_bubbles(true);
    let event = web_sys::Event::new_with_event_init_dict("input", &init).unwrap();
    area.dispatch_event(&event).unwrap();
    query(root, "#inspect")
        .unchecked_into::<HtmlElement>()
        .click();
    leptos::task::tick().await;
}

#[wasm_bindgen_test]
async fn reference_breakdown_is_rendered() {
    let root = mount_app();
    submit(&root, "  localhost:5000/team/api:v2  ").await;
    assert_eq!(
        text(&root, "[data-fact=canonical]"),
        "localhost:5000/team/api:v2"
    );
    assert_eq!(text(&root, "[data-fact=registry]"), "localhost:5000");
    assert_eq!(text(&root, "[data-fact=repository]"), "team/api");
    assert_eq!(text(&root, "[data-fact=tag]"), "v2");
}

#[wasm_bindgen_test]
async fn invalid_reference_marks_the_offending_character() {
    let root = mount_app();
    submit(&root, "team/App:v1").await;
    assert_eq!(text(&root, "[role=alert] mark"), "A");
    assert!(text(&root, "[role=alert]").contains("byte 5"));
}

#[wasm_bindgen_test]
async fn pasted_document_shows_kind_digest_and_findings() {
    let root = mount_app();
    let doc = r#"{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[]}"#;
    submit(&root, doc).await;
    assert_eq!(text(&root, "[data-fact=kind]"), "OCI image index");
    let expected = manifest_explorer::oci::Digest::sha256(doc.as_bytes()).to_string();
    assert_eq!(text(&root, "[data-fact=digest]"), expected);

    // The same document with a duplicate key is an error, shown with its severity.
    let dup = r#"{"schemaVersion":2,"schemaVersion":2,"manifests":[]}"#;
    submit(&root, dup).await;
    let errors = root.query_selector_all("[data-severity=error]").unwrap();
    assert!(
        errors.length() >= 1,
        "a duplicate key must be an error finding"
    );
}
