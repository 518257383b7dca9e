//! Token scopes (Docker token auth spec, docs/spec/auth/scope.md, "Resource Scope Grammar"):
//! `resourcetype ":" resourcename ":" action [ "," action ]*`.
//!
//! This client only reads, so it only ever asks for `pull` (and `registry:catalog:*` for the
//! catalog, which Docker's registry requires for `/v2/_catalog`).

/// Scope for reading a repository's manifests, blobs, tags and referrers.
pub fn pull_scope(repository: &str) -> String {
    format!("repository:{repository}:pull")
}

/// Scope for listing repositories on registries that use Docker's token server.
pub const CATALOG_SCOPE: &str = "registry:catalog:*";
