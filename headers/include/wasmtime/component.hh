// Convenience header to include all of `wasmtime/component/*.hh`.

#ifndef WASMTIME_COMPONENT_HH
#define WASMTIME_COMPONENT_HH

#include <wasmtime/component/component.hh>
#include <wasmtime/component/func.hh>
#include <wasmtime/component/instance.hh>
#include <wasmtime/component/linker.hh>
#include <wasmtime/component/types.hh>
#include <wasmtime/component/val.hh>

#endif // WASMTIME_COMPONENT_HH
