;; The component every component benchmark calls (`cargo xtask bench`:
;; benches/components.rs, bench-wasmtime/benches/components.rs and the
;; `ccount` drivers). The guest does as little as it can, so what is
;; measured is the host's side of a call: lowering the arguments into
;; linear memory and lifting the results out of it.
;;
;; - `echo: (s: string) -> string`: the same string back;
;; - `list-echo: (l: list<u32>) -> list<u32>`: the same list back;
;; - `point-echo: (p: point) -> point`: the same record back.
;;
;; The canonical ABI is written by hand: `$Libc` holds the memory and a bump
;; `realloc` that starts over at 1024 when the memory is full (what a call
;; allocates is dead once the host has read its result).
(component
  (type $point' (record (field "x" f64) (field "y" f64) (field "id" u32) (field "ok" bool)))
  (export $point "point" (type $point'))

  (core module $Libc
    (memory (export "memory") 17)
    (global $next (mut i32) (i32.const 1024))
    (func (export "realloc") (param i32 i32) (param $align i32) (param $size i32) (result i32)
      (local $p i32)
      global.get $next
      local.get $size
      i32.add
      i32.const 1048000
      i32.gt_u
      if
        i32.const 1024
        global.set $next
      end
      global.get $next
      local.get $align
      i32.const 1
      i32.sub
      i32.add
      i32.const 0
      local.get $align
      i32.sub
      i32.and
      local.tee $p
      local.get $size
      i32.add
      global.set $next
      local.get $p))
  (core instance $libc (instantiate $Libc))
  (alias core export $libc "memory" (core memory $mem))
  (alias core export $libc "realloc" (core func $realloc))

  (core module $Main
    (import "libc" "memory" (memory 1))
    ;; A string or a list: (pointer, length) back through the return area
    ;; at 16.
    (func (export "echo") (param i32 i32) (result i32)
      i32.const 16
      local.get 0
      i32.store
      i32.const 20
      local.get 1
      i32.store
      i32.const 16)
    ;; The record's canonical layout: x at 0, y at 8, id at 16, ok at 20.
    (func (export "point") (param f64 f64 i32 i32) (result i32)
      i32.const 64
      local.get 0
      f64.store
      i32.const 72
      local.get 1
      f64.store
      i32.const 80
      local.get 2
      i32.store
      i32.const 84
      local.get 3
      i32.store8
      i32.const 64))
  (core instance $main (instantiate $Main (with "libc" (instance $libc))))

  (func (export "echo") (param "s" string) (result string)
    (canon lift (core func $main "echo") (memory $mem) (realloc $realloc)))
  (func (export "list-echo") (param "l" (list u32)) (result (list u32))
    (canon lift (core func $main "echo") (memory $mem) (realloc $realloc)))
  (func (export "point-echo") (param "p" $point) (result $point)
    (canon lift (core func $main "point") (memory $mem)))
)
