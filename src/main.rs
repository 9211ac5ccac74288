fn main() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let _ = reqwest::Client::new();
}
