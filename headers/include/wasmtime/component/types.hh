/// \file wasmtime/component/types.hh

#ifndef WASMTIME_COMPONENT_TYPES_HH
#define WASMTIME_COMPONENT_TYPES_HH

#include <wasmtime/component/types/component.hh>
#include <wasmtime/component/types/func.hh>
#include <wasmtime/component/types/instance.hh>
#include <wasmtime/component/types/module.hh>
#include <wasmtime/component/types/val.hh>

#endif // WASMTIME_COMPONENT_TYPES_HH
