//! What the benchmarks share.

pub mod pages;
pub mod scratch;

use std::sync::Arc;

use vanban::api::AppState;

/// The real app on 127.0.0.1 with 2 workers, in a thread of its own, as `vanban serve`
/// runs it; returns its base URL.
pub fn start_server(state: Arc<AppState>) -> String {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let sys = actix_web::rt::System::new();
        sys.block_on(async move {
            let doc = vanban::app::openapi();
            let server =
                actix_web::HttpServer::new(move || vanban::app::build(state.clone(), doc.clone()))
                    .workers(2)
                    .bind("127.0.0.1:0")
                    .expect("bind");
            let _ = tx.send(server.addrs()[0]);
            let _ = server.run().await;
        });
    });
    format!("http://{}", rx.recv().expect("server address"))
}
