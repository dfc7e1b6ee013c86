//! Sets the linker flags an N-API addon needs.
fn main() {
    napi_build::setup();
}
