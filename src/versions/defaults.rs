//! Each supported major's engine defaults: the WebAssembly features and
//! settings a `Config` left untouched gets, as `config_rules` and
//! `cwasm::preflight` need them.
