;; The one module every benchmark variant runs: wasmtime-dyn, the raw C API
;; through wasmtime-dyn's tables, the C API linked at build time, and the
;; wasmtime crate.
(module
  (import "host" "inc" (func $inc (param i32) (result i32)))

  (func (export "nop"))

  (func (export "add") (param i32 i32) (result i32)
    local.get 0
    local.get 1
    i32.add)

  (func (export "mixed") (param i32 i64 f32 f64) (result f64)
    local.get 0
    f64.convert_i32_s
    local.get 1
    f64.convert_i64_s
    f64.add
    local.get 2
    f64.promote_f32
    f64.add
    local.get 3
    f64.add)

  ;; One host round trip: wasm calls host.inc once.
  (func (export "call_host") (param i32) (result i32)
    local.get 0
    call $inc)

  ;; $n host calls in a loop, threading the value through host.inc:
  ;; isolates the wasm-to-host transition from the host-to-wasm entry.
  (func (export "host_loop") (param $n i32) (result i32)
    (local $acc i32)
    block $done
      loop $next
        local.get $n
        i32.eqz
        br_if $done
        local.get $acc
        call $inc
        local.set $acc
        local.get $n
        i32.const 1
        i32.sub
        local.set $n
        br $next
      end
    end
    local.get $acc))
