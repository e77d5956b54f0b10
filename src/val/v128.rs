//! [`V128`]: a 128-bit SIMD value.

/// A 128-bit SIMD value, little-endian bytes as in memory.
///
/// ```
/// use wasmtime_dyn::V128;
/// let v = V128::from(0x0102u128);
/// assert_eq!(v.as_u128(), 0x0102);
/// assert_eq!(v.to_le_bytes()[0], 0x02);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct V128(pub(super) u128);

impl V128 {
    /// The value as an integer.
    ///
    /// ```
    /// use wasmtime_dyn::V128;
    /// assert_eq!(V128::from(u128::MAX).as_u128(), u128::MAX);
    /// ```
    pub fn as_u128(self) -> u128 {
        self.0
    }

    /// The little-endian bytes.
    ///
    /// ```
    /// use wasmtime_dyn::V128;
    /// let bytes = V128::from(0xff).to_le_bytes();
    /// assert_eq!((bytes[0], bytes[15]), (0xff, 0));
    /// ```
    pub fn to_le_bytes(self) -> [u8; 16] {
        self.0.to_le_bytes()
    }

    /// From little-endian bytes.
    ///
    /// ```
    /// use wasmtime_dyn::V128;
    /// let mut bytes = [0u8; 16];
    /// bytes[15] = 0x80;
    /// assert_eq!(V128::from_le_bytes(bytes).as_u128(), 1 << 127);
    /// ```
    pub fn from_le_bytes(bytes: [u8; 16]) -> V128 {
        V128(u128::from_le_bytes(bytes))
    }
}

impl From<u128> for V128 {
    fn from(v: u128) -> V128 {
        V128(v)
    }
}
