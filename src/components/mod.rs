//! One component per file. Components only render parsed types from `crate::oci`; they never
//! parse or hash (the document view calls the core once), and never put data into the DOM as
//! HTML: every value is a text node or an attribute.

mod annotations_table;
mod catalog_panel;
mod commands;
mod config_view;
mod copy_button;
mod descriptor_table;
mod digest_link;
mod document_view;
mod findings;
mod index_view;
mod input_box;
mod manifest_view;
mod missing_object;
mod paged;
mod payload_view;
mod raw_json;
mod reference_error_view;
mod reference_view;
mod registry_settings;
mod registry_view;
mod schema1_view;
mod show_more;
mod start_page;
mod tags_panel;
mod verdict;

pub use annotations_table::AnnotationsTable;
pub use catalog_panel::CatalogPanel;
pub use commands::Commands;
pub use config_view::ConfigView;
pub use copy_button::CopyButton;
pub use descriptor_table::DescriptorTable;
pub use digest_link::{digest_anchor, DigestFieldLink, DigestLink, Target};
pub use document_view::DocumentView;
pub use findings::Findings;
pub use index_view::IndexView;
pub use input_box::InputBox;
pub use manifest_view::ManifestView;
pub use missing_object::MissingObject;
pub use payload_view::PayloadView;
pub use raw_json::RawJson;
pub use reference_error_view::ReferenceErrorView;
pub use reference_view::ReferenceView;
pub use registry_settings::RegistrySettings;
pub use registry_view::{LayerBlob, LayerView, RegistryView, Want};
pub use schema1_view::Schema1View;
pub use show_more::ShowMore;
pub use start_page::StartPage;
pub use tags_panel::TagsPanel;
pub use verdict::Verdict;
