/// The one shell quoter: every text autoloss puts into a `sh -c` command line (a candidate
/// folder's path for `{dir}`, the worker's binary, a Slurm array's lines) goes through it.
enum Shell {
    /// `s` as one shell word, whatever it holds: single quotes, each `'` inside closed, escaped
    /// and reopened (`it's` -> `'it'\''s'`).
    static func quoted(_ s: String) -> String { "'" + s.replacingOccurrences(of: "'", with: "'\\''") + "'" }
}
