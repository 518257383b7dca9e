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

// ---- Component tests: each view mounted alone with the contexts the app provides. ----

use manifest_explorer::app::Nav;
use manifest_explorer::components::{
    AnnotationsTable, ConfigView, IndexView, ManifestView, PayloadView, RawJson, ReferenceView,
    Schema1View, Verdict,
};
use manifest_explorer::oci::json::{self, Json};
use manifest_explorer::oci::model::{
    self, human_size, Annotations, ImageConfig, ImageManifest, Index, Schema1Manifest,
};
use manifest_explorer::oci::Digest;
use manifest_explorer::samples::{Sample, Store};

fn mount_view<V: IntoView + 'static>(view: impl FnOnce() -> V + 'static) -> Element {
    let document = document();
    let container = document.create_element("div").unwrap();
    document.body().unwrap().append_child(&container).unwrap();
    let handle = leptos::mount::mount_to(container.clone().unchecked_into(), move || {
        // The test page's URL has no query: the route is the start page's.
        provide_context(Nav::page());
        provide_context(StoredValue::new(Store::samples()));
        view()
    });
    std::mem::forget(handle);
    container
}

fn sample_json(id: &str) -> (Vec<u8>, Json) {
    let bytes = Sample::by_id(id).unwrap().object().unwrap().bytes.to_vec();
    let json = json::parse(&bytes, json::DEFAULT_MAX_DEPTH).unwrap();
    (bytes, json)
}

fn count(root: &Element, selector: &str) -> u32 {
    root.query_selector_all(selector).unwrap().length()
}

#[wasm_bindgen_test]
fn manifest_view_lists_layers_sizes_and_digest_links() {
    let (_, json) = sample_json("oci-manifest");
    let layers = json.get("layers").unwrap().as_array().unwrap();
    let total: i64 = json.pointer("/config/size").unwrap().as_i64().unwrap()
        + layers
            .iter()
            .map(|l| l.get("size").unwrap().as_i64().unwrap())
            .sum::<i64>();
    let manifest = ImageManifest::from_json(&json);
    let root = mount_view(move || view! { <ManifestView manifest /> });
    assert_eq!(
        text(&root, "[data-fact=layer-count]"),
        layers.len().to_string()
    );
    assert_eq!(
        text(&root, "[data-fact=total-size]"),
        human_size(total as u64)
    );
    // One row per layer plus the config row, each with a digest link.
    assert_eq!(
        count(&root, "table.descriptors tbody tr"),
        layers.len() as u32 + 1
    );
    assert_eq!(count(&root, "a[data-digest]"), layers.len() as u32 + 1);
    // Known annotations get labels; the javascript: value is text, not a link.
    assert!(text(&root, ".annotations").contains("Source"));
    assert_eq!(count(&root, "a[href^='javascript:']"), 0);
}

#[wasm_bindgen_test]
fn index_view_groups_attestations_under_their_image() {
    let (_, json) = sample_json("oci-index");
    let index = Index::from_json(&json);
    let root = mount_view(move || view! { <IndexView index /> });
    assert_eq!(count(&root, "tr.image"), 2);
    assert_eq!(count(&root, "tr.attestation"), 2);
    assert!(!text(&root, "table.platforms").contains("unknown/unknown"));
    // Each attestation row directly follows the image it describes.
    let rows = root.query_selector_all("table.platforms tbody tr").unwrap();
    let classes: Vec<String> = (0..rows.length())
        .map(|i| {
            rows.item(i)
                .unwrap()
                .unchecked_into::<Element>()
                .class_name()
        })
        .collect();
    assert_eq!(classes, ["image", "attestation", "image", "attestation"]);
}

#[wasm_bindgen_test]
async fn index_view_pages_long_lists() {
    let entries: Vec<String> = (0..1000)
        .map(|i| {
            format!(
                r#"{{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:{i:064x}","size":{i},"platform":{{"os":"linux","architecture":"amd64"}}}}"#
            )
        })
        .collect();
    let doc = format!(
        r#"{{"schemaVersion":2,"manifests":[{}]}}"#,
        entries.join(",")
    );
    let index = Index::from_json(&json::parse(doc.as_bytes(), 64).unwrap());
    let root = mount_view(move || view! { <IndexView index /> });
    assert_eq!(count(&root, "tr.image"), 100, "first page only");
    let show_all = root
        .query_selector_all(".show-more button")
        .unwrap()
        .item(1)
        .unwrap();
    show_all.unchecked_into::<HtmlElement>().click();
    leptos::task::tick().await;
    assert_eq!(count(&root, "tr.image"), 1000);
}

#[wasm_bindgen_test]
fn config_view_ties_history_steps_to_layers() {
    let (_, config_json) = sample_json("config");
    let (_, manifest_json) = sample_json("oci-manifest");
    let history_len = config_json
        .get("history")
        .unwrap()
        .as_array()
        .unwrap()
        .len();
    let layers = ImageManifest::from_json(&manifest_json).layers;
    let layer_count = layers.len() as u32;
    let config = ImageConfig::from_json(&config_json);
    let root = mount_view(move || view! { <ConfigView config layers=Some(layers) /> });
    assert_eq!(count(&root, "table.history tbody tr"), history_len as u32);
    assert_eq!(
        count(&root, "table.history tr.step:not(.empty)"),
        layer_count
    );
    assert_eq!(count(&root, "table.history td.num .size"), layer_count);
    assert!(text(&root, "[data-fact=env]").contains("APP_HOME=/srv/app"));
    assert_eq!(
        text(&root, "[data-fact=entrypoint]"),
        r#"["python", "-m", "app"]"#
    );
    assert_eq!(
        count(&root, "[data-severity=warning]"),
        0,
        "history matches the layers"
    );
}

#[wasm_bindgen_test]
fn config_view_reports_history_layer_mismatch() {
    let doc = br#"{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":["sha256:0000000000000000000000000000000000000000000000000000000000000000"]},"history":[{"created_by":"a"},{"created_by":"b"}]}"#;
    let config = ImageConfig::from_json(&json::parse(doc, 64).unwrap());
    let root = mount_view(move || view! { <ConfigView config layers=None /> });
    assert_eq!(count(&root, "[data-severity=warning]"), 1);
}

#[wasm_bindgen_test]
fn schema1_view_shows_layers_and_deprecation() {
    let (_, json) = sample_json("schema1");
    let manifest = Schema1Manifest::from_json(&json);
    let root = mount_view(move || view! { <Schema1View manifest /> });
    assert_eq!(count(&root, "tbody tr"), 2);
    assert!(text(&root, ".notice").contains("deprecated"));
}

#[wasm_bindgen_test]
fn payload_view_unwraps_dsse_into_in_toto() {
    let (_, json) = sample_json("dsse");
    let payload = model::recognise(&json, None).expect("a DSSE envelope");
    let root = mount_view(move || view! { <PayloadView payload /> });
    let headings: Vec<String> = {
        let nodes = root.query_selector_all("[data-fact=payload]").unwrap();
        (0..nodes.length())
            .map(|i| nodes.item(i).unwrap().text_content().unwrap_or_default())
            .collect()
    };
    assert_eq!(headings, ["DSSE envelope", "in-toto statement"]);
}

#[wasm_bindgen_test]
fn raw_view_shows_exact_bytes_with_digest_links() {
    let (bytes, json) = sample_json("oci-manifest");
    let text_of_doc = String::from_utf8(bytes.clone()).unwrap();
    let digests = text_of_doc.matches("\"sha256:").count() as u32;
    let root = mount_view(move || view! { <RawJson bytes json=Some(json) /> });
    assert_eq!(text(&root, "pre.raw"), text_of_doc);
    assert_eq!(count(&root, "pre.raw a[data-digest]"), digests);
    // The key and its value both carry the member's pointer.
    assert_eq!(count(&root, "pre.raw [data-pointer='/layers/0/size']"), 2);
}

#[wasm_bindgen_test]
fn verdict_has_three_distinct_states() {
    let bytes = b"{}";
    let actual = Digest::sha256(bytes);
    let other = Digest::sha256(b"other");
    let cases = [
        (Some(actual.clone()), "verified"),
        (Some(other), "mismatch"),
        (None, "unverified"),
    ];
    for (expected, state) in cases {
        let actual = actual.clone();
        let root = mount_view(move || view! { <Verdict expected actual size=2 pasted=false /> });
        assert_eq!(text(&root, "[data-fact=verdict]"), state);
        assert_eq!(count(&root, &format!("[data-verdict={state}]")), 1);
    }
}

#[wasm_bindgen_test]
fn annotations_link_only_http_urls() {
    let annotations = Annotations(vec![
        (
            "org.opencontainers.image.url".into(),
            "https://example.com/x".into(),
        ),
        ("a".into(), "javascript:alert(1)".into()),
        ("b".into(), "<img src=x onerror=alert(1)>".into()),
    ]);
    let root = mount_view(move || view! { <AnnotationsTable annotations title="Annotations" /> });
    assert_eq!(count(&root, "a"), 1);
    assert_eq!(count(&root, "img"), 0, "data is text, never HTML");
    assert!(text(&root, "table").contains("<img src=x onerror=alert(1)>"));
}

#[wasm_bindgen_test]
fn reference_view_lists_normalisation_steps() {
    let reference: manifest_explorer::oci::Reference = "ubuntu".parse().unwrap();
    let steps = reference.normalization().len() as u32;
    let root = mount_view(move || view! { <ReferenceView reference /> });
    assert_eq!(steps, 3, "registry, library/ and :latest");
    assert_eq!(count(&root, "[data-fact=normalization] li"), steps + 1);
    assert_eq!(text(&root, "[data-fact=namespace]"), "library");
    assert_eq!(text(&root, "[data-fact=name]"), "ubuntu");
}
