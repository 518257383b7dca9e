//! The lazily loaded compare binary: two images (or several tags of one repository) side by
//! side, from descriptors, configs and merged filesystems, loaded with a `<script>` the first
//! time a person opens `view=compare`. See `lazy`.

#[cfg(target_arch = "wasm32")]
fn main() {
    use manifest_explorer::lazy::{guest, Module};
    guest::start(Module::Compare, guest::compare_views);
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!(
        "the compare module runs in the browser only; it is built by `trunk build` (see README.md)"
    );
    std::process::exit(2);
}
