//! The merged filesystem of an image: its layers applied in order (image-spec `layer.md`).
