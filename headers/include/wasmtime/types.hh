#ifndef WASMTIME_TYPES_HH
#define WASMTIME_TYPES_HH

#include <wasmtime/types/exnref.hh>
#include <wasmtime/types/export.hh>
#include <wasmtime/types/extern.hh>
#include <wasmtime/types/func.hh>
#include <wasmtime/types/global.hh>
#include <wasmtime/types/import.hh>
#include <wasmtime/types/memory.hh>
#include <wasmtime/types/table.hh>
#include <wasmtime/types/tag.hh>
#include <wasmtime/types/val.hh>

#endif // WASMTIME_TYPES_HH
