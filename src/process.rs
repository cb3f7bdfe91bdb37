//! Process-wide set-up that any part may need, low in the layering so that nothing has to
//! import `app` for it.

/// Installs the one rustls crypto provider of the process (ring). Safe to call twice.
pub fn install_crypto_provider() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}
