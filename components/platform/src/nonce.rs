//! Nonces: random alphanumerics from a source of random bytes, without bias.

/// The alphabet of nonces.
const NONCE_ALPHABET: &[u8; 62] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
/// Length of a nonce (X's OAuth examples use 32 alphanumerics).
pub const NONCE_LENGTH: usize = 32;

/// A nonce of [`NONCE_LENGTH`] alphanumerics from a source of random bytes (`fill` fills
/// its buffer, wasi:random in the component). Bytes of 248 and above are skipped, so every
/// character is equally likely.
pub fn nonce_from_random(mut fill: impl FnMut(&mut [u8])) -> String {
    let mut nonce = String::with_capacity(NONCE_LENGTH);
    let mut buf = [0u8; 64];
    while nonce.len() < NONCE_LENGTH {
        fill(&mut buf);
        for b in buf {
            if nonce.len() == NONCE_LENGTH {
                break;
            }
            // 248 = 4 * 62: below it, b % 62 is uniform.
            if b < 248 {
                if let Some(&c) = NONCE_ALPHABET.get(usize::from(b % 62)) {
                    nonce.push(char::from(c));
                }
            }
        }
    }
    nonce
}
