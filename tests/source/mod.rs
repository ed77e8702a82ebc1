//! The crate's own sources, read by the tests that check them (layering, glossary).

use std::path::Path;

/// Every `.rs` file under `src/`, as (path relative to the crate root, text), in path order.
pub fn sources() -> Vec<(String, String)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    read_dir(&root.join("src"), root, &mut files);
    files
}

/// Every `.rs` file under `dir`, as (path relative to `root`, text), in path order.
fn read_dir(dir: &Path, root: &Path, out: &mut Vec<(String, String)>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            read_dir(&path, root, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            let rel = path.strip_prefix(root).unwrap().to_string_lossy();
            let text = std::fs::read_to_string(&path).unwrap();
            out.push((rel.replace('\\', "/"), text));
        }
    }
}
