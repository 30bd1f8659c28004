//! Real servers on 127.0.0.1 for the live-server tests (`connect.rs`, `ats.rs`): Debian's
//! `openssl s_server` (stopped by its PID when dropped), a rustls server in a thread, echo and
//! HTTP servers, and a port nobody listens on. Every wait is bounded.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// The tests of one file run one at a time: each picks free ports, and two picking at once
/// could get the same one.
static ONE_AT_A_TIME: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// Holds the file's lock for a test.
pub fn one_at_a_time() -> std::sync::MutexGuard<'static, ()> {
    ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner())
}

/// Whether Debian's `openssl` is installed (the tests that need it skip without).
pub fn openssl_available() -> bool {
    Command::new("openssl")
        .arg("version")
        .output()
        .is_ok_and(|o| o.status.success())
}

/// A port free at the moment of asking.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn wait_for(port: u16) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            Instant::now() < deadline,
            "the server on {port} did not start"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// A fresh folder for one test's files, removed when dropped (also when the test fails).
pub struct Folder(PathBuf);

impl std::ops::Deref for Folder {
    type Target = Path;
    fn deref(&self) -> &Path {
        &self.0
    }
}

impl Drop for Folder {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A fresh folder for one test's files.
pub fn folder(name: &str) -> Folder {
    let dir = std::env::temp_dir().join(format!("netlens-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    Folder(dir)
}

/// A running `openssl s_server`, killed (by its PID) and reaped when dropped.
pub struct OpensslServer {
    child: Child,
    /// Its port on 127.0.0.1.
    pub port: u16,
}

impl Drop for OpensslServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl OpensslServer {
    /// `openssl s_server` with `cert` and `key` (PEM), the intermediates of `chain` if any, and
    /// `args` (`-tls1_1`, `-cipher …`).
    pub fn start(cert: &Path, key: &Path, chain: Option<&Path>, args: &[&str]) -> OpensslServer {
        let port = free_port();
        let mut command = Command::new("openssl");
        command
            .args([
                "s_server",
                "-quiet",
                "-accept",
                &format!("127.0.0.1:{port}"),
            ])
            .arg("-cert")
            .arg(cert)
            .arg("-key")
            .arg(key);
        if let Some(chain) = chain {
            command.arg("-cert_chain").arg(chain);
        }
        let child = command
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let server = OpensslServer { child, port };
        wait_for(port);
        server
    }
}

/// A self-signed certificate made by `openssl req` in `dir` (`name.pem`, `name.key`): `key`
/// is `rsa:2048` or `ec`, `extensions` are `-addext` values.
pub fn openssl_certificate(
    dir: &Path,
    name: &str,
    subject: &str,
    key: &str,
    extensions: &[&str],
) -> (PathBuf, PathBuf) {
    let (cert, key_file) = (
        dir.join(format!("{name}.pem")),
        dir.join(format!("{name}.key")),
    );
    let mut command = Command::new("openssl");
    command.args(["req", "-x509", "-nodes", "-days", "2", "-subj", subject]);
    if key == "ec" {
        command.args(["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1"]);
    } else {
        command.args(["-newkey", key]);
    }
    for e in extensions {
        command.args(["-addext", e]);
    }
    let status = command
        .arg("-keyout")
        .arg(&key_file)
        .arg("-out")
        .arg(&cert)
        .stderr(Stdio::null())
        .status()
        .unwrap();
    assert!(status.success());
    (cert, key_file)
}

/// A server in a thread of the test: hands each connection on 127.0.0.1 to its handler, until
/// dropped or for a time limit at most.
pub struct ThreadServer {
    /// Its port on 127.0.0.1.
    pub port: u16,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Drop for ThreadServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl ThreadServer {
    /// Starts it; `on_connection` runs in the server's thread.
    pub fn start(
        limit: Duration,
        mut on_connection: impl FnMut(TcpStream) + Send + 'static,
    ) -> ThreadServer {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        listener.set_nonblocking(true).unwrap();
        let stop = Arc::new(AtomicBool::new(false));
        let stopping = stop.clone();
        let thread = std::thread::spawn(move || {
            let deadline = Instant::now() + limit;
            while !stopping.load(Ordering::Relaxed) && Instant::now() < deadline {
                match listener.accept() {
                    Ok((stream, _)) => on_connection(stream),
                    Err(_) => std::thread::sleep(Duration::from_millis(10)),
                }
            }
        });
        ThreadServer {
            port,
            stop,
            thread: Some(thread),
        }
    }
}

/// A rustls server in a thread of the test: `chain` sent exactly as given (DER), for the
/// EC `key_pem` (PKCS#8), speaking only `versions`. Serves one connection after another until
/// dropped (or for 120 s at most).
pub fn rustls_server(
    chain: &[Vec<u8>],
    key_pem: &str,
    versions: &[&'static rustls::SupportedProtocolVersion],
) -> ThreadServer {
    rustls_thread_server(chain, key_pem, versions, None)
}

/// A rustls server (TLS 1.2 and 1.3) that requires a client certificate issued by one of
/// `client_roots` (DER), with `chain` and the EC `key_pem` as its own identity.
#[allow(dead_code)] // not every test file runs one
pub fn rustls_server_requiring_clients(
    chain: &[Vec<u8>],
    key_pem: &str,
    client_roots: &[Vec<u8>],
) -> ThreadServer {
    rustls_thread_server(
        chain,
        key_pem,
        &[&rustls::version::TLS13, &rustls::version::TLS12],
        Some(client_roots),
    )
}

/// [`rustls_server`], requiring client certificates from `client_roots` when given.
fn rustls_thread_server(
    chain: &[Vec<u8>],
    key_pem: &str,
    versions: &[&'static rustls::SupportedProtocolVersion],
    client_roots: Option<&[Vec<u8>]>,
) -> ThreadServer {
    use rustls::pki_types::pem::PemObject as _;
    use rustls::pki_types::{CertificateDer, PrivateKeyDer};
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let verifier: Arc<dyn rustls::server::danger::ClientCertVerifier> = match client_roots {
        None => Arc::new(rustls::server::NoClientAuth),
        Some(client_roots) => {
            let mut roots = rustls::RootCertStore::empty();
            for root in client_roots {
                roots.add(CertificateDer::from(root.clone())).unwrap();
            }
            rustls::server::WebPkiClientVerifier::builder_with_provider(
                Arc::new(roots),
                provider.clone(),
            )
            .build()
            .unwrap()
        }
    };
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_protocol_versions(versions)
        .unwrap()
        .with_client_cert_verifier(verifier)
        .with_single_cert(
            chain
                .iter()
                .map(|c| CertificateDer::from(c.clone()))
                .collect(),
            PrivateKeyDer::from_pem_slice(key_pem.as_bytes()).unwrap(),
        )
        .unwrap();
    let config = Arc::new(config);
    ThreadServer::start(Duration::from_secs(120), move |stream| {
        serve(stream, &config)
    })
}

/// One TLS connection: the handshake (or its failure), then close_notify.
fn serve(mut stream: TcpStream, config: &Arc<rustls::ServerConfig>) {
    let _ = stream.set_nonblocking(false);
    let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
    let _ = stream.set_write_timeout(Some(Duration::from_secs(5)));
    let Ok(mut tls) = rustls::ServerConnection::new(config.clone()) else {
        return;
    };
    for _ in 0..20 {
        if !tls.is_handshaking() {
            break;
        }
        if tls.complete_io(&mut stream).is_err() {
            break;
        }
    }
    tls.send_close_notify();
    let _ = tls.write_tls(&mut stream);
}

/// A server that answers each of up to `connections` connections with `reply`, or echoes what
/// it received when `reply` is `None`; done after 20 s at most.
pub fn plain_server(reply: Option<&'static [u8]>, connections: usize) -> (u16, JoinHandle<()>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    listener.set_nonblocking(true).unwrap();
    let thread = std::thread::spawn(move || {
        let deadline = Instant::now() + Duration::from_secs(20);
        let mut served = 0;
        while served < connections && Instant::now() < deadline {
            let Ok((mut stream, _)) = listener.accept() else {
                std::thread::sleep(Duration::from_millis(10));
                continue;
            };
            served += 1;
            let _ = stream.set_nonblocking(false);
            let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
            let mut buffer = [0u8; 4096];
            if let Ok(n) = stream.read(&mut buffer) {
                let _ = stream.write_all(reply.unwrap_or(&buffer[..n]));
            }
        }
    });
    (port, thread)
}

/// A server that takes connections and never says a word (a stalled service), until dropped
/// or for 30 s at most.
pub fn silent_server() -> ThreadServer {
    // The connections stay open, unanswered, as long as the server runs.
    let mut held = Vec::new();
    ThreadServer::start(Duration::from_secs(30), move |stream| held.push(stream))
}

/// A port nobody listens on, held by a bound socket that does not listen so that no other
/// server takes it meanwhile.
pub fn held_port() -> (socket2::Socket, u16) {
    let held = socket2::Socket::new(socket2::Domain::IPV4, socket2::Type::STREAM, None).unwrap();
    held.bind(&std::net::SocketAddr::from(([127, 0, 0, 1], 0)).into())
        .unwrap();
    let port = held.local_addr().unwrap().as_socket().unwrap().port();
    (held, port)
}

/// The test kit's demo chain in `dir`: `leaf.pem`, `leaf.key`, `intermediate.pem`, `root.pem`.
pub fn demo_chain_files(dir: &Path) {
    let chain = netlens_testkit::demo_chain_cached().unwrap();
    std::fs::write(dir.join("leaf.pem"), chain.leaf.pem()).unwrap();
    std::fs::write(dir.join("leaf.key"), chain.leaf.key.pkcs8_pem().unwrap()).unwrap();
    std::fs::write(dir.join("intermediate.pem"), chain.intermediate.pem()).unwrap();
    std::fs::write(dir.join("root.pem"), chain.root.pem()).unwrap();
}
