import Foundation

/// The worker: this very binary, which runs one evaluation (`autoloss evaluate DIR`) in a
/// process of its own, here or on a Slurm node. The search is handed its path; nothing below
/// the command line looks for it.
enum Worker {
    static let binary: URL? = Bundle.main.executablePath.map { URL(fileURLWithPath: $0) }
}
