//! The `vanban` command line.

use std::path::PathBuf;
use std::sync::Arc;

use anyhow::{bail, Context};
use clap::{Parser, Subcommand};

use vanban::api::AppState;
use vanban::auth::token::{random_secret, TokenKeys};
use vanban::config::{Mode, Settings};
use vanban::db::{self, Db};
use vanban::domain::kinds::Role;
use vanban::search::Mirror;

/// mimalloc rather than glibc's allocator: a search allocates many short-lived buffers
/// (posting blocks, stored documents, snippets) on several threads at once, where glibc's
/// arenas spent a sixth of the search time (profile in docs/BENCHMARKS.md).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(
    name = "vanban",
    version,
    about = "Document control for Vietnamese local government"
)]
struct Cli {
    /// A TOML file layered over config/default.toml.
    #[arg(long, global = true, value_name = "FILE")]
    config: Option<PathBuf>,
    /// sqlite://PATH or postgres://... (default sqlite://./data/vanban.db).
    #[arg(long, global = true, env = "VANBAN_DATABASE_URL", value_name = "URL")]
    database_url: Option<String>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the HTTP API (migrates the database first).
    Serve {
        /// Address to listen on, e.g. 127.0.0.1:8080.
        #[arg(long)]
        listen: Option<String>,
        /// Load the Sơn Tây demo district first (idempotent).
        #[arg(long)]
        demo: bool,
    },
    /// Apply pending database migrations.
    Migrate,
    /// Load the Sơn Tây demo district without serving.
    Demo,
    /// Import corpus files (.jsonl or .jsonl.gz) of articles or documents.
    Import {
        #[arg(required = true, value_name = "FILE")]
        files: Vec<PathBuf>,
        /// No progress bar.
        #[arg(long)]
        quiet: bool,
    },
    /// Manage accounts.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Check the audit log.
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
    /// Rebuild the search index from the database.
    Reindex {
        /// Rebuild the index folder even if it mirrors another database (whose search it
        /// then no longer serves).
        #[arg(long)]
        force: bool,
    },
    /// Check the database and the search index: re-hash every file, verify the audit
    /// chain, compare the index with the documents, find rows that point at nothing.
    /// Exits non-zero on any problem.
    Check {
        /// Repair what is safe to repair: rebuild the search index when it differs (the
        /// server must be stopped: it holds the index).
        #[arg(long)]
        repair: bool,
        /// The report as JSON on stdout.
        #[arg(long)]
        json: bool,
    },
    /// Print the OpenAPI document.
    Openapi,
}

#[derive(Subcommand)]
enum UserCommand {
    /// Add an account; the password is read from VANBAN_USER_PASSWORD or generated and printed.
    Add {
        name: String,
        #[arg(long, value_parser = parse_role)]
        role: Role,
        /// Org unit id or code.
        #[arg(long)]
        org_unit: Option<String>,
    },
}

#[derive(Subcommand)]
enum AuditCommand {
    /// Verify the hash chain; exits non-zero if any row was edited or deleted.
    Verify,
}

fn parse_role(s: &str) -> Result<Role, String> {
    s.parse()
}

fn settings(cli: &Cli) -> anyhow::Result<Settings> {
    let mut s = Settings::load(cli.config.as_deref())?;
    if let Some(url) = &cli.database_url {
        s.database.url = url.clone();
    }
    // Workflow deadlines reach use cases that take no settings (see service::deadlines).
    vanban::service::deadlines::install(&s);
    Ok(s)
}

fn open_db(s: &Settings) -> anyhow::Result<Db> {
    let db = Db::connect(&s.database.url, s.database.pool_size)
        .map_err(|e| anyhow::anyhow!("cannot open the database {}: {e}", s.database.url))?;
    let applied = db
        .migrate()
        .map_err(|e| anyhow::anyhow!("migrations failed: {e}"))?;
    for m in applied {
        tracing::info!(migration = %m, "applied");
    }
    Ok(db)
}

/// The demo accounts' password: VANBAN_DEMO_PASSWORD, else one generated once and kept
/// in ./data/demo-password so that later runs print the same one.
fn demo_password() -> anyhow::Result<String> {
    if let Ok(p) = std::env::var("VANBAN_DEMO_PASSWORD") {
        if !p.is_empty() {
            return Ok(p);
        }
    }
    let path = PathBuf::from("data/demo-password");
    if let Ok(p) = std::fs::read_to_string(&path) {
        if !p.trim().is_empty() {
            return Ok(p.trim().to_owned());
        }
    }
    let p = vanban::auth::password::generate();
    std::fs::create_dir_all("data").context("cannot create ./data")?;
    std::fs::write(&path, &p).with_context(|| format!("cannot write {}", path.display()))?;
    Ok(p)
}

fn load_demo(db: &Db) -> anyhow::Result<String> {
    let password = demo_password()?;
    let mut conn = db.get()?;
    let pw = password.clone();
    let before = vanban::db::totals(&mut conn)?;
    vanban::db::write_transaction(&mut conn, |c| vanban::demo::load(c, &pw))
        .map_err(|e| anyhow::anyhow!("demo data: {e}"))?;
    // What is there, and what this start added to it.
    let t = vanban::db::totals(&mut conn)?;
    tracing::info!(
        org_units = t.org_units,
        documents = t.documents,
        accounts = t.accounts,
        added_org_units = t.org_units - before.org_units,
        added_documents = t.documents - before.documents,
        added_accounts = t.accounts - before.accounts,
        "demo district loaded"
    );
    Ok(password)
}

fn init_tracing() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    // Colours only on a terminal: a log file or journal gets plain text.
    use std::io::IsTerminal;
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(std::io::stderr().is_terminal())
        .with_writer(std::io::stderr)
        .init();
}

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    init_tracing();
    match &cli.command {
        Command::Serve { listen, demo } => {
            let mut s = settings(&cli)?;
            if let Some(l) = listen {
                s.server.listen = l.clone();
            }
            let db = open_db(&s)?;
            let demo_password = if *demo { Some(load_demo(&db)?) } else { None };
            serve(s, db, demo_password)
        }
        Command::Migrate => {
            let s = settings(&cli)?;
            open_db(&s)?;
            println!("migrations are current on {}", s.database.url);
            Ok(())
        }
        Command::Demo => {
            let s = settings(&cli)?;
            let db = open_db(&s)?;
            let pw = load_demo(&db)?;
            print_accounts(&pw);
            Ok(())
        }
        Command::Import { files, quiet } => {
            let s = settings(&cli)?;
            let db = open_db(&s)?;
            for f in files {
                let started = std::time::Instant::now();
                let r = vanban::import::import_file(&db, f, !quiet)?;
                println!(
                    "{}: {} records, {} documents added, {} provisions added, {} already present ({:.1} s)",
                    f.display(),
                    r.records,
                    r.documents_added,
                    r.provisions_added,
                    r.skipped,
                    started.elapsed().as_secs_f64()
                );
            }
            Ok(())
        }
        Command::User {
            command:
                UserCommand::Add {
                    name,
                    role,
                    org_unit,
                },
        } => {
            let s = settings(&cli)?;
            let db = open_db(&s)?;
            let (password, generated) = match std::env::var("VANBAN_USER_PASSWORD") {
                Ok(p) if !p.is_empty() => (p, false),
                _ => (vanban::auth::password::generate(), true),
            };
            let req = vanban::service::accounts::CreateUserRequest {
                username: name.clone(),
                display_name: None,
                password: password.clone(),
                role: *role,
                org_unit: org_unit.clone(),
            };
            let mut conn = db.get()?;
            let actor = vanban::db::audit::Actor {
                id: None,
                name: "cli".into(),
            };
            let u = vanban::db::write_transaction(&mut conn, |c| {
                vanban::service::accounts::insert_audited(c, &actor, &req)
            })
            .map_err(|e| anyhow::anyhow!("{e}: {:?}", e.detail()))?;
            println!("added {} ({})", u.username, u.role);
            if generated {
                println!("password: {password}");
            }
            Ok(())
        }
        Command::Audit {
            command: AuditCommand::Verify,
        } => {
            let s = settings(&cli)?;
            let db = open_db(&s)?;
            let mut conn = db.get()?;
            let bar = indicatif::ProgressBar::new(0);
            let v = db::audit::verify(&mut conn, |done, total| {
                bar.set_length(total.max(0) as u64);
                bar.set_position(done.max(0) as u64);
            })?;
            bar.finish_and_clear();
            if v.breaks.is_empty() {
                println!("audit log intact: {} entries verified", v.entries);
                Ok(())
            } else {
                for b in &v.breaks {
                    eprintln!("BROKEN: {b}");
                }
                bail!(
                    "audit log verification failed: {} problem(s) in {} entries",
                    v.breaks.len(),
                    v.entries
                )
            }
        }
        Command::Reindex { force } => {
            let s = settings(&cli)?;
            let db = open_db(&s)?;
            let dir = std::path::Path::new(&s.search.index_dir);
            let mut conn = db.get()?;
            let name = Mirror::name_of(&mut conn)?;
            if let Mirror::Other { recorded, database } = Mirror::of(dir, name.as_deref()) {
                if !force {
                    bail!(
                        "the search index in {} mirrors another database (its audit log starts \
                         with {recorded}; this one {}). Give this database an index folder of \
                         its own (VANBAN_SEARCH__INDEX_DIR or search.index_dir), or pass --force \
                         to rebuild that one for it",
                        dir.display(),
                        database
                            .as_deref()
                            .map_or("is empty".to_owned(), |d| format!("with {d}"))
                    );
                }
            }
            let index = vanban::search::SearchIndex::open(Some(dir))?;
            let bar = indicatif::ProgressBar::new(0).with_style(
                indicatif::ProgressStyle::with_template(
                    "reindexing [{elapsed_precise}] {wide_bar} {pos}/{len} ({per_sec})",
                )
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
            );
            let started = std::time::Instant::now();
            let n = index.rebuild(&mut conn, |done, total| {
                bar.set_length(total);
                bar.set_position(done);
            })?;
            index.catch_up(&mut conn)?;
            // The name read before the rebuild: a reindex writes no audit entry.
            Mirror::record(dir, name.as_deref())?;
            bar.finish_and_clear();
            println!(
                "indexed {n} documents ({} entries) in {:.1} s",
                index.count()?,
                started.elapsed().as_secs_f64()
            );
            Ok(())
        }
        Command::Check { repair, json } => {
            let (repair, json) = (*repair, *json);
            let s = settings(&cli)?;
            let db = open_db(&s)?;
            let dir = std::path::PathBuf::from(&s.search.index_dir);
            let mut conn = db.get()?;
            let bar = indicatif::ProgressBar::new_spinner();
            let started = std::time::Instant::now();
            let report = vanban::service::check::check(&mut conn, &dir, |what| {
                bar.set_message(what.to_owned())
            })
            .map_err(|e| anyhow::anyhow!("check: {e}"))?;
            bar.finish_and_clear();
            if json {
                println!("{}", serde_json::to_string_pretty(&report)?);
            } else {
                print_check(&report, started.elapsed());
            }
            if repair && report.index_problems() > 0 {
                let index = vanban::search::SearchIndex::open(Some(&dir)).map_err(|e| {
                    anyhow::anyhow!(
                        "cannot open the index to rebuild it (stop the server first): {e}"
                    )
                })?;
                let name = Mirror::name_of(&mut conn)?;
                let n = index.rebuild(&mut conn, |_, _| {})?;
                index.catch_up(&mut conn)?;
                Mirror::record(&dir, name.as_deref())?;
                eprintln!("repaired: the search index was rebuilt ({n} documents)");
                let rest = report.problems() - report.index_problems();
                if rest == 0 {
                    return Ok(());
                }
                bail!("{rest} problem(s) remain that --repair does not touch");
            }
            if report.problems() > 0 {
                bail!("check found {} problem(s)", report.problems());
            }
            Ok(())
        }
        Command::Openapi => {
            println!("{}", serde_json::to_string_pretty(&vanban::app::openapi())?);
            Ok(())
        }
    }
}

fn print_accounts(password: &str) {
    println!("Demo accounts (password: {password}):");
    for (role, unit) in vanban::demo::ACCOUNTS {
        println!(
            "  {:<15} {:<15} unit {unit}",
            role.as_str(),
            role.label_vi()
        );
    }
}

#[actix_web::main]
async fn serve(s: Settings, db: Db, demo_password: Option<String>) -> anyhow::Result<()> {
    let secret = if s.auth.jwt_secret.is_empty() {
        if s.mode != Mode::Dev {
            bail!("VANBAN_JWT_SECRET is required outside dev mode");
        }
        tracing::warn!("dev mode: no JWT secret configured, tokens die with this process");
        random_secret()
    } else {
        s.auth.jwt_secret.as_bytes().to_vec()
    };
    let keys = TokenKeys::new(&secret, s.auth.access_ttl_seconds);
    let dir = std::path::Path::new(&s.search.index_dir);
    let search = Arc::new(vanban::search::SearchIndex::open(Some(dir))?);
    {
        let mut conn = db.get()?;
        // An index folder that mirrors another database is rebuilt for this one: serving
        // its hits would answer documents this database does not have.
        let name = Mirror::name_of(&mut conn)?;
        if let Mirror::Other { recorded, database } = Mirror::of(dir, name.as_deref()) {
            tracing::warn!(
                dir = %dir.display(),
                recorded,
                database = database.as_deref().unwrap_or("(empty)"),
                "the search index mirrors another database: rebuilding it for this one"
            );
            search.rebuild(&mut conn, |_, _| {})?;
        }
        // Replays whatever was committed but not indexed before the last stop.
        let replayed = search.catch_up(&mut conn)?;
        Mirror::record(dir, name.as_deref())?;
        tracing::info!(
            entries = search.count()?,
            replayed,
            last_seq = search.last_seq(),
            "search index current"
        );
    }
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let follower = search.follow(
        db.clone(),
        std::time::Duration::from_millis(s.search.follow_interval_ms),
        stop.clone(),
    );
    let listen = s.server.listen.clone();
    let workers = s.server.workers;
    let state = Arc::new(AppState::new(s, db, keys, search));
    let doc = vanban::app::openapi();
    let server = actix_web::HttpServer::new({
        let state = state.clone();
        move || vanban::app::build(state.clone(), doc.clone())
    });
    let server = if workers > 0 {
        server.workers(workers)
    } else {
        server
    };
    let server = server
        .bind(&listen)
        .with_context(|| format!("cannot listen on {listen}"))?;
    let base = format!(
        "http://{}",
        server
            .addrs()
            .first()
            .map(|a| a.to_string())
            .unwrap_or(listen)
    );
    println!("vanban listening on {base}");
    println!("  Pages:   {base}/");
    println!("  API:     {base}/api/v1");
    println!("  OpenAPI: {base}/api/v1/openapi.json");
    if let Some(pw) = demo_password {
        print_accounts(&pw);
        println!("  Log in:  curl -s {base}/api/v1/auth/login -H 'content-type: application/json' -d '{{\"username\":\"admin\",\"password\":\"{pw}\"}}'");
    }
    server.run().await?;
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let _ = follower.join();
    Ok(())
}

/// The check's report, a line per kind of problem.
fn print_check(r: &vanban::service::check::CheckReport, took: std::time::Duration) {
    let list = |what: &str, items: &[String]| {
        if items.is_empty() {
            println!("ok    {what}");
        } else {
            println!("FAIL  {what}: {}", items.len());
            for i in items.iter().take(20) {
                println!("        {i}");
            }
        }
    };
    list(
        &format!("files re-hashed ({})", r.blobs_checked),
        &r.corrupt_blobs,
    );
    list(
        &format!("audit chain ({} entries)", r.audit_entries),
        &r.audit_breaks,
    );
    if r.index_found {
        let pending = if r.index_pending > 0 {
            format!(", {} change(s) not indexed yet", r.index_pending)
        } else {
            String::new()
        };
        println!(
            "      search index: {} documents{pending}",
            r.index_documents
        );
        list("documents missing from the index", &r.index_missing);
        list("documents indexed at another version", &r.index_stale);
        list("index entries without their document", &r.index_extra);
    } else {
        println!("FAIL  no search index of this version in the index folder (vanban reindex)");
    }
    for (what, n) in &r.orphans {
        if *n == 0 {
            println!("ok    no {what}");
        } else {
            println!("FAIL  {what}: {n}");
        }
    }
    println!(
        "{} problem(s), in {:.1} s",
        r.problems(),
        took.as_secs_f64()
    );
}
