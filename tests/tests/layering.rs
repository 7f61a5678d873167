//! The code's layering, checked: no import loops between the modules of any crate, and no crate that
//! depends on one above it.
//!
//! Every `.rs` file under `services/*/src` is parsed (`syn`); each path that names a module of its own
//! crate (`crate::…`, `super::…`, `self::…`, or a child module by name) is an edge between the two
//! modules, counted at the level where their paths part (`a::b::x` using `a::c::y` is `b → c` inside
//! `a`). Uses of an ancestor (a module's tests using `super::*`) are no loop, and `#[cfg(test)]` code
//! is left out: a test may reach anywhere. Any cycle among siblings fails, with a file that makes
//! each edge.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use syn::visit::Visit;

fn services() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../services"))
}

/// A module path inside a crate, e.g. `["dataset", "xlsx"]`; the crate root is empty.
type ModPath = Vec<String>;

/// The modules of one crate and the edges between them: `(from, to) → a file that makes it`.
#[derive(Default)]
struct Crate {
    modules: BTreeSet<ModPath>,
    edges: BTreeMap<(ModPath, ModPath), String>,
}

fn is_cfg_test(attrs: &[syn::Attribute]) -> bool {
    attrs.iter().any(|a| {
        a.path().is_ident("cfg")
            && a.meta.require_list().is_ok_and(|l| {
                l.tokens
                    .to_string()
                    .split(|c: char| !c.is_alphanumeric() && c != '_')
                    .any(|t| t == "test")
            })
    })
}

/// The file of module `name` declared in `file` (which holds module `parent_is_dir_module`).
fn child_file(file: &Path, name: &str) -> Option<PathBuf> {
    let stem = file.file_stem()?.to_str()?;
    let dir = if matches!(stem, "lib" | "main" | "mod") {
        file.parent()?.to_path_buf()
    } else {
        file.parent()?.join(stem)
    };
    [
        dir.join(format!("{name}.rs")),
        dir.join(name).join("mod.rs"),
    ]
    .into_iter()
    .find(|p| p.exists())
}

/// Collects the module tree from the files, leaving out `#[cfg(test)]` modules.
fn collect_modules(file: &Path, path: &ModPath, out: &mut Vec<(PathBuf, ModPath)>) {
    let text = std::fs::read_to_string(file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
    let ast = syn::parse_file(&text).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
    out.push((file.to_path_buf(), path.clone()));
    fn walk(items: &[syn::Item], file: &Path, path: &ModPath, out: &mut Vec<(PathBuf, ModPath)>) {
        for item in items {
            let syn::Item::Mod(m) = item else { continue };
            if is_cfg_test(&m.attrs) {
                continue;
            }
            let mut child = path.clone();
            child.push(m.ident.to_string());
            match &m.content {
                Some((_, items)) => walk(items, file, &child, out),
                None => {
                    if let Some(f) = child_file(file, &m.ident.to_string()) {
                        collect_modules(&f, &child, out);
                    }
                }
            }
        }
    }
    walk(&ast.items, file, path, out);
}

struct Uses<'a> {
    /// The module the visitor is in (the file's module plus inline modules).
    here: ModPath,
    modules: &'a BTreeSet<ModPath>,
    found: BTreeSet<ModPath>,
}

impl Uses<'_> {
    /// The deepest module a path starting at `here` names.
    fn resolve(&mut self, segments: &[String]) {
        let Some(first) = segments.first() else {
            return;
        };
        let (mut base, rest): (ModPath, &[String]) = match first.as_str() {
            "crate" => (vec![], &segments[1..]),
            "self" => (self.here.clone(), &segments[1..]),
            "super" => {
                let mut base = self.here.clone();
                let mut rest = segments;
                while rest.first().is_some_and(|s| s == "super") {
                    base.pop();
                    rest = &rest[1..];
                }
                (base, rest)
            }
            _ => {
                let mut child = self.here.clone();
                child.push(first.clone());
                if !self.modules.contains(&child) {
                    return;
                }
                (self.here.clone(), segments)
            }
        };
        let mut deepest = base.clone();
        for s in rest {
            base.push(s.clone());
            if self.modules.contains(&base) {
                deepest = base.clone();
            } else {
                break;
            }
        }
        self.found.insert(deepest);
    }

    fn use_tree(&mut self, prefix: &mut Vec<String>, tree: &syn::UseTree) {
        match tree {
            syn::UseTree::Path(p) => {
                prefix.push(p.ident.to_string());
                self.use_tree(prefix, &p.tree);
                prefix.pop();
            }
            syn::UseTree::Name(n) => {
                prefix.push(n.ident.to_string());
                self.resolve(&prefix.clone());
                prefix.pop();
            }
            syn::UseTree::Rename(r) => {
                prefix.push(r.ident.to_string());
                self.resolve(&prefix.clone());
                prefix.pop();
            }
            syn::UseTree::Glob(_) => self.resolve(&prefix.clone()),
            syn::UseTree::Group(g) => {
                for t in &g.items {
                    self.use_tree(prefix, t);
                }
            }
        }
    }
}

impl<'ast> Visit<'ast> for Uses<'_> {
    fn visit_item_mod(&mut self, m: &'ast syn::ItemMod) {
        if is_cfg_test(&m.attrs) {
            return;
        }
        if let Some((_, items)) = &m.content {
            self.here.push(m.ident.to_string());
            for item in items {
                self.visit_item(item);
            }
            self.here.pop();
        }
    }
    fn visit_item_fn(&mut self, f: &'ast syn::ItemFn) {
        if !is_cfg_test(&f.attrs) {
            syn::visit::visit_item_fn(self, f);
        }
    }
    fn visit_item_impl(&mut self, i: &'ast syn::ItemImpl) {
        if !is_cfg_test(&i.attrs) {
            syn::visit::visit_item_impl(self, i);
        }
    }
    fn visit_item_use(&mut self, u: &'ast syn::ItemUse) {
        if u.leading_colon.is_none() && !is_cfg_test(&u.attrs) {
            self.use_tree(&mut vec![], &u.tree);
        }
    }
    fn visit_path(&mut self, p: &'ast syn::Path) {
        if p.leading_colon.is_none() {
            let segments: Vec<String> = p.segments.iter().map(|s| s.ident.to_string()).collect();
            self.resolve(&segments);
        }
        syn::visit::visit_path(self, p);
    }
}

fn read_crate(src: &Path) -> Crate {
    let root = ["lib.rs", "main.rs"]
        .iter()
        .map(|f| src.join(f))
        .find(|p| p.exists());
    let Some(root) = root else {
        return Crate::default();
    };
    let mut files = vec![];
    collect_modules(&root, &vec![], &mut files);
    let mut krate = Crate {
        modules: files.iter().map(|(_, m)| m.clone()).collect(),
        ..Crate::default()
    };
    // Inline modules are found while visiting; add them first so paths can name them.
    for (file, module) in &files {
        let ast = syn::parse_file(&std::fs::read_to_string(file).unwrap()).unwrap();
        fn inline(items: &[syn::Item], path: &ModPath, out: &mut BTreeSet<ModPath>) {
            for item in items {
                if let syn::Item::Mod(m) = item
                    && let Some((_, items)) = &m.content
                    && !is_cfg_test(&m.attrs)
                {
                    let mut child = path.clone();
                    child.push(m.ident.to_string());
                    out.insert(child.clone());
                    inline(items, &child, out);
                }
            }
        }
        inline(&ast.items, module, &mut krate.modules);
    }
    for (file, module) in &files {
        let ast = syn::parse_file(&std::fs::read_to_string(file).unwrap()).unwrap();
        let mut uses = Uses {
            here: module.clone(),
            modules: &krate.modules,
            found: BTreeSet::new(),
        };
        uses.visit_file(&ast);
        let rel = file
            .strip_prefix(services())
            .unwrap_or(file)
            .display()
            .to_string();
        for target in uses.found {
            // The level where the two paths part; an ancestor or the module itself is no edge.
            let common = module
                .iter()
                .zip(&target)
                .take_while(|(a, b)| a == b)
                .count();
            if common == module.len() || common == target.len() {
                continue;
            }
            let from = module[..=common].to_vec();
            let to = target[..=common].to_vec();
            krate.edges.entry((from, to)).or_insert_with(|| rel.clone());
        }
    }
    krate
}

/// Cycles among siblings (Tarjan's strongly connected components), each as its module names.
fn cycles(krate: &Crate) -> Vec<Vec<ModPath>> {
    let nodes: BTreeSet<&ModPath> = krate.edges.keys().flat_map(|(a, b)| [a, b]).collect();
    let next = |v: &ModPath| -> Vec<&ModPath> {
        krate
            .edges
            .keys()
            .filter(|(a, _)| a == v)
            .map(|(_, b)| b)
            .collect()
    };
    struct State<'a> {
        index: BTreeMap<&'a ModPath, usize>,
        low: BTreeMap<&'a ModPath, usize>,
        stack: Vec<&'a ModPath>,
        found: Vec<Vec<ModPath>>,
    }
    fn connect<'a>(v: &'a ModPath, s: &mut State<'a>, next: &dyn Fn(&ModPath) -> Vec<&'a ModPath>) {
        let i = s.index.len();
        s.index.insert(v, i);
        s.low.insert(v, i);
        s.stack.push(v);
        for w in next(v) {
            if !s.index.contains_key(w) {
                connect(w, s, next);
                let low = s.low[v].min(s.low[w]);
                s.low.insert(v, low);
            } else if s.stack.contains(&w) {
                let low = s.low[v].min(s.index[w]);
                s.low.insert(v, low);
            }
        }
        if s.low[v] == s.index[v] {
            let mut component = vec![];
            while let Some(w) = s.stack.pop() {
                component.push(w.clone());
                if w == v {
                    break;
                }
            }
            if component.len() > 1 {
                component.sort();
                s.found.push(component);
            }
        }
    }
    let mut state = State {
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: vec![],
        found: vec![],
    };
    for v in nodes {
        if !state.index.contains_key(v) {
            connect(v, &mut state, &next);
        }
    }
    state.found
}

#[test]
fn no_crate_has_an_import_loop_between_its_modules() {
    let mut problems = vec![];
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(services())
        .expect("services/")
        .map(|e| e.expect("entry").path())
        .collect();
    dirs.push(PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"))));
    dirs.sort();
    for dir in dirs {
        let krate = read_crate(&dir.join("src"));
        for cycle in cycles(&krate) {
            let names: Vec<String> = cycle.iter().map(|m| m.join("::")).collect();
            let evidence: Vec<String> = krate
                .edges
                .iter()
                .filter(|((a, b), _)| cycle.contains(a) && cycle.contains(b))
                .map(|((a, b), file)| format!("    {} → {} ({file})", a.join("::"), b.join("::")))
                .collect();
            problems.push(format!(
                "{}: {}\n{}",
                dir.file_name().unwrap().to_string_lossy(),
                names.join(", "),
                evidence.join("\n")
            ));
        }
    }
    assert!(
        problems.is_empty(),
        "import loops:\n{}",
        problems.join("\n")
    );
}

/// The crates from the bottom up: a crate may depend only on crates of a lower layer.
const LAYERS: &[&[&str]] = &[
    &["jvap-record"],
    &["jvap-ingest", "jvap-outputs", "jvap-bus", "jvap-testkit"],
    &["jvap-worker"],
    &["jvap-validation", "jvap-intake", "jvap-aggregation"],
    &["jvap-admin"],
    &["jvap-cli"],
    &["jvap-tests"],
];

#[test]
fn no_crate_depends_on_one_above_it() {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let out = std::process::Command::new(cargo)
        .args([
            "metadata",
            "--format-version",
            "1",
            "--no-deps",
            "--offline",
        ])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("cargo metadata runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let metadata: serde_json::Value = serde_json::from_slice(&out.stdout).expect("metadata");
    let layer = |name: &str| LAYERS.iter().position(|l| l.contains(&name));
    let mut problems = vec![];
    let packages = metadata["packages"].as_array().expect("packages");
    for package in packages {
        let name = package["name"].as_str().unwrap_or_default();
        let Some(own) = layer(name) else {
            problems.push(format!("{name} is in no layer: add it to LAYERS"));
            continue;
        };
        for dep in package["dependencies"].as_array().into_iter().flatten() {
            let dep_name = dep["name"].as_str().unwrap_or_default();
            // A service's own tests use the test kit, never the harness of the whole system.
            if dep_name == "jvap-tests" {
                problems.push(format!("{name} depends on jvap-tests: use jvap-testkit"));
            }
            // Normal dependencies only; tests may reach further up.
            if !dep_name.starts_with("jvap-") || !dep["kind"].is_null() {
                continue;
            }
            if layer(dep_name).is_none_or(|l| l >= own) {
                problems.push(format!(
                    "{name} depends on {dep_name}, which is not below it"
                ));
            }
            if matches!(name, "jvap-bus" | "jvap-testkit") && dep_name != "jvap-record" {
                problems.push(format!(
                    "jvap-bus depends on {dep_name}: it may use jvap-record only"
                ));
            }
        }
    }
    assert!(
        packages.len() >= LAYERS.concat().len(),
        "every crate is read"
    );
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// A service's tests build that service and the test kit only: intake's, for one, compile none of
/// aggregation's database and mail code.
#[test]
fn testing_intake_builds_no_database_or_mail_code() {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let out = std::process::Command::new(cargo)
        .args([
            "tree",
            "--offline",
            "-p",
            "jvap-intake",
            "-e",
            "normal,dev",
            "--prefix",
            "none",
        ])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("cargo tree runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let tree = String::from_utf8_lossy(&out.stdout);
    let crates: Vec<&str> = tree
        .lines()
        .filter_map(|l| l.split_whitespace().next())
        .collect();
    assert!(crates.contains(&"jvap-testkit"), "{tree}");
    for unwanted in [
        "sqlx",
        "lettre",
        "jvap-aggregation",
        "jvap-validation",
        "jvap-tests",
    ] {
        assert!(
            !crates.contains(&unwanted),
            "intake's tests build {unwanted}"
        );
    }
}
