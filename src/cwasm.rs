//! Precompiled artifacts (`.cwasm`): what their engine section says, and
//! whether an engine will take one, before deserializing it.
