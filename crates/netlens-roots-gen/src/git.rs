//! Reading files of a git repository at a revision, without a work tree (a clone's `.git`, or a
//! bare mirror). Upstream stores are read straight from their history so a refresh names the
//! exact commit it came from, and Apple's removals can be dated by the release that made them.

use std::path::{Path, PathBuf};
use std::process::Command;

/// A git directory and a revision in it.
pub struct Repo {
    git_dir: PathBuf,
    /// The full commit id the revision resolved to.
    pub commit: String,
}

/// One entry of `git ls-tree`.
pub struct TreeEntry {
    /// The blob id.
    pub blob: String,
    /// The path in the repository.
    pub path: String,
}

fn run(git_dir: &Path, args: &[&str]) -> Result<Vec<u8>, String> {
    let out = Command::new("git")
        .arg("--git-dir")
        .arg(git_dir)
        .args(args)
        .output()
        .map_err(|e| format!("cannot run git: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "git {} in {}: {}",
            args.join(" "),
            git_dir.display(),
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    Ok(out.stdout)
}

fn text(bytes: Vec<u8>) -> String {
    String::from_utf8_lossy(&bytes).trim().to_owned()
}

impl Repo {
    /// Opens `path` (a work tree with `.git`, or a git directory) at `rev`.
    pub fn open(path: &Path, rev: &str) -> Result<Repo, String> {
        let git_dir = if path.join(".git").exists() {
            path.join(".git")
        } else {
            path.to_path_buf()
        };
        let commit = text(run(&git_dir, &["rev-parse", &format!("{rev}^{{commit}}")])?);
        Ok(Repo { git_dir, commit })
    }

    /// The same repository at another commit.
    pub fn at(&self, commit: &str) -> Repo {
        Repo {
            git_dir: self.git_dir.clone(),
            commit: commit.to_owned(),
        }
    }

    /// The file at `path`.
    pub fn read(&self, path: &str) -> Result<Vec<u8>, String> {
        run(&self.git_dir, &["show", &format!("{}:{path}", self.commit)])
    }

    /// The file at `path`, or `None` when it does not exist at this commit.
    pub fn read_optional(&self, path: &str) -> Option<Vec<u8>> {
        self.read(path).ok()
    }

    /// A blob by id.
    pub fn blob(&self, id: &str) -> Result<Vec<u8>, String> {
        run(&self.git_dir, &["cat-file", "blob", id])
    }

    /// Every file under `dir`, recursively.
    pub fn list(&self, dir: &str) -> Result<Vec<TreeEntry>, String> {
        let out = text(run(
            &self.git_dir,
            &["ls-tree", "-r", &self.commit, "--", dir],
        )?);
        Ok(out
            .lines()
            .filter_map(|line| {
                let (meta, path) = line.split_once('\t')?;
                let mut parts = meta.split_whitespace();
                let _mode = parts.next()?;
                (parts.next()? == "blob").then(|| TreeEntry {
                    blob: parts.next().unwrap_or_default().to_owned(),
                    path: path.to_owned(),
                })
            })
            .collect())
    }

    /// The commit's date (YYYY-MM-DD, committer time).
    pub fn date(&self) -> Result<String, String> {
        Ok(text(run(
            &self.git_dir,
            &["log", "-1", "--format=%cs", &self.commit],
        )?))
    }

    /// The date of the last commit up to this one that changed `path`.
    pub fn date_of_change(&self, path: &str) -> Result<String, String> {
        Ok(text(run(
            &self.git_dir,
            &["log", "-1", "--format=%cs", &self.commit, "--", path],
        )?))
    }

    /// The commit's subject line.
    pub fn subject(&self) -> Result<String, String> {
        Ok(text(run(
            &self.git_dir,
            &["log", "-1", "--format=%s", &self.commit],
        )?))
    }

    /// Every commit of the first-parent history up to this one, oldest first.
    pub fn history(&self) -> Result<Vec<String>, String> {
        Ok(text(run(
            &self.git_dir,
            &["rev-list", "--first-parent", "--reverse", &self.commit],
        )?)
        .lines()
        .map(str::to_owned)
        .collect())
    }

    /// The abbreviated commit id.
    pub fn short(&self) -> &str {
        &self.commit[..self.commit.len().min(12)]
    }
}
