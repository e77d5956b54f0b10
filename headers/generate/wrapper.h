/* Input of `cargo xtask bindgen`: every public header of the C API. */
#include <wasi.h>
#include <wasm.h>
#include <wasmtime.h>
#include <wasmtime/component.h>
