//! Node bindings of leadgen: the native addon under the `leadgen` npm package.
#![allow(unsafe_code)] // napi-rs's generated registration

use napi_derive::napi;

/// The version of leadgen.
#[napi]
pub fn version() -> String {
    leadgen::VERSION.to_string()
}
