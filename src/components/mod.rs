//! One component per file. Components only render parsed types from `crate::oci`; they never
//! parse or hash, and never put data into the DOM as HTML.

mod findings;
mod input_box;
mod inspection_view;
mod reference_error_view;
mod reference_view;

pub use findings::Findings;
pub use input_box::InputBox;
pub use inspection_view::InspectionView;
pub use reference_error_view::ReferenceErrorView;
pub use reference_view::ReferenceView;
