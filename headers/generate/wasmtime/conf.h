/*
 * conf.h used by `cargo xtask bindgen` in place of the one CMake writes from
 * ../../include/wasmtime/conf.h.in: every feature is on, so the generated
 * bindings declare every function of every build. The only switch is
 * WASMTIME_DYN_WITHOUT_GC, which the generator defines for the second pass
 * that produces the `wasmtime_val_t` layout of builds without GC.
 */

#ifndef WASMTIME_CONF_H
#define WASMTIME_CONF_H

#define WASMTIME_FEATURE_PROFILING
#define WASMTIME_FEATURE_WAT
#define WASMTIME_FEATURE_CACHE
#define WASMTIME_FEATURE_PARALLEL_COMPILATION
#define WASMTIME_FEATURE_WASI
#define WASMTIME_FEATURE_WASI_HTTP
#define WASMTIME_FEATURE_LOGGING
#define WASMTIME_FEATURE_COREDUMP
#define WASMTIME_FEATURE_ADDR2LINE
#define WASMTIME_FEATURE_DEMANGLE
#define WASMTIME_FEATURE_THREADS
#ifndef WASMTIME_DYN_WITHOUT_GC
#define WASMTIME_FEATURE_GC
#define WASMTIME_FEATURE_GC_DRC
#define WASMTIME_FEATURE_GC_NULL
#endif
#define WASMTIME_FEATURE_ASYNC
#define WASMTIME_FEATURE_CRANELIFT
#define WASMTIME_FEATURE_WINCH
#define WASMTIME_FEATURE_DEBUG_BUILTINS
#define WASMTIME_FEATURE_POOLING_ALLOCATOR
#define WASMTIME_FEATURE_COMPONENT_MODEL
#define WASMTIME_FEATURE_COMPONENT_MODEL_ASYNC
#define WASMTIME_FEATURE_PULLEY
#define WASMTIME_FEATURE_ALL_ARCH

#if defined(WASMTIME_FEATURE_CRANELIFT) || defined(WASMTIME_FEATURE_WINCH)
#define WASMTIME_FEATURE_COMPILER
#endif

#endif // WASMTIME_CONF_H
