//! `I31`: the unboxed 31-bit integers of the `any` hierarchy.

/// An unboxed 31-bit integer of the `any` hierarchy (`i31ref`'s values).
///
/// ```
/// use wasmtime_dyn::I31;
/// assert_eq!(I31::wrapping_i32(-1).get_u32(), 0x7fff_ffff);
/// assert_eq!(I31::wrapping_i32(-1).get_i32(), -1);
/// assert_eq!(I31::new_u32(1 << 31), None);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct I31(u32);

impl I31 {
    /// `value`, if it fits in 31 unsigned bits.
    ///
    /// ```
    /// use wasmtime_dyn::I31;
    /// assert_eq!(I31::new_u32(5).map(I31::get_u32), Some(5));
    /// ```
    pub fn new_u32(value: u32) -> Option<I31> {
        (value >> 31 == 0).then_some(I31(value))
    }

    /// `value`, if it fits in 31 signed bits.
    ///
    /// ```
    /// use wasmtime_dyn::I31;
    /// assert_eq!(I31::new_i32(-5).map(I31::get_i32), Some(-5));
    /// assert_eq!(I31::new_i32(1 << 30), None);
    /// ```
    pub fn new_i32(value: i32) -> Option<I31> {
        let truncated = I31::wrapping_i32(value);
        (truncated.get_i32() == value).then_some(truncated)
    }

    /// The low 31 bits of `value`.
    ///
    /// ```
    /// use wasmtime_dyn::I31;
    /// assert_eq!(I31::wrapping_u32(u32::MAX).get_u32(), 0x7fff_ffff);
    /// ```
    pub fn wrapping_u32(value: u32) -> I31 {
        I31(value & 0x7fff_ffff)
    }

    /// The low 31 bits of `value`.
    ///
    /// ```
    /// use wasmtime_dyn::I31;
    /// assert_eq!(I31::wrapping_i32(i32::MIN).get_i32(), 0);
    /// ```
    pub fn wrapping_i32(value: i32) -> I31 {
        I31::wrapping_u32(value as u32)
    }

    /// The value, zero-extended (`i31.get_u`).
    ///
    /// ```
    /// use wasmtime_dyn::I31;
    /// assert_eq!(I31::wrapping_i32(-2).get_u32(), 0x7fff_fffe);
    /// ```
    pub fn get_u32(self) -> u32 {
        self.0
    }

    /// The value, sign-extended (`i31.get_s`).
    ///
    /// ```
    /// use wasmtime_dyn::I31;
    /// assert_eq!(I31::wrapping_u32(0x4000_0000).get_i32(), -(1 << 30));
    /// ```
    pub fn get_i32(self) -> i32 {
        ((self.0 << 1) as i32) >> 1
    }
}
