//! Filtering and paging for the UI.
