;; Used by `cargo xtask demo`: precompiled by the full library for the
;; minimal one, then run there.
(module
  (func $fib (export "fib") (param i64) (result i64)
    (if (result i64) (i64.lt_u (local.get 0) (i64.const 2))
      (then (local.get 0))
      (else
        (i64.add
          (call $fib (i64.sub (local.get 0) (i64.const 1)))
          (call $fib (i64.sub (local.get 0) (i64.const 2))))))))
