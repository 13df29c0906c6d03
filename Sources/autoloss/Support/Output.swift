import Detection
import Foundation
import Search

/// A file the command writes that could not be written (a full disk, no permission): the
/// environment's failure, exit 3 (README, "Exit codes"), with the file and the cause.
struct WriteFailure: Error {
    var path: String
    var cause: String

    init(path: String, cause: String) {
        self.path = path
        self.cause = cause
    }

    init(path: String, _ error: Error) { self.init(path: path, cause: RunFolder.cause(of: error)) }

    var message: String { "\(path): cannot write: \(cause)" }
}

extension DataError {
    /// A file the data commands write that could not be written: the environment's failure.
    var isWriteFailure: Bool {
        if case .writeFailed = self { return true }
        return false
    }
}

/// Standard output as the exit codes see it. A reader that leaves (`search | head`, Ctrl-C on
/// `search | tee`) ends nothing early: SIGPIPE is ignored, so a write into the closed pipe fails
/// (EPIPE) and what it held is dropped, and the command finishes its work and its files and
/// exits with the status it had, quietly. Any other failure to write it (a full disk, /dev/full)
/// is a `WriteFailure`: exit 3.
enum StandardOutput {
    /// Ignores SIGPIPE, from the start (the programs autoloss runs start with it at its default
    /// again: `ProcessRunner`).
    static func prepare() {
        signal(SIGPIPE, SIG_IGN)
    }

    /// Writes `data` (output too large for `print`: a COCO file), after what `print` buffered; a
    /// reader that left is not an error.
    static func write(_ data: Data) throws {
        fflush(stdout)
        if let code = OutputFile.writeAll(data, to: STDOUT_FILENO), code != EPIPE {
            throw WriteFailure(path: "standard output", cause: String(cString: strerror(code)))
        }
    }

    /// The exit status of a command that ended with `status`, once what `print` buffered is
    /// written: `status`, or 3 (said on stderr) where standard output could not be written for
    /// another reason than its reader leaving.
    static func finish(_ status: Int32) -> Int32 {
        errno = 0
        let flushed = fflush(stdout) == 0
        let cause = flushed ? 0 : errno
        guard !flushed || ferror(stdout) != 0 else { return status }
        // An earlier write failed (`print` does not say): into a pipe or socket, its reader left.
        if cause == EPIPE || (cause == 0 && readerCanLeave) { return status }
        let failure = WriteFailure(path: "standard output", cause: cause == 0 ? "an earlier write failed" : String(cString: strerror(cause)))
        printError("error: \(failure.message)")
        return status == 0 ? Autoloss.environmentFailure : status
    }

    /// Whether standard output is a pipe or a socket: something whose reader can leave.
    private static var readerCanLeave: Bool {
        var info = stat()
        guard fstat(STDOUT_FILENO, &info) == 0 else { return false }
        let kind = info.st_mode & S_IFMT
        return kind == S_IFIFO || kind == S_IFSOCK
    }
}

/// A file the user names with `--out` (export, report --html, data convert). A regular file,
/// or a new one, is replaced whole by the command's own atomic write; anything else there (a
/// device such as /dev/null, a FIFO, a link such as /dev/stdout) is written into, as `>` would:
/// the rename of an atomic write would put a regular file in its place (as root, /dev/null
/// itself), and the data would never reach what the name pointed at.
enum OutputFile {
    /// Writes `data` to `path`: into it where it is not a regular file, else by `replace`.
    static func write(_ data: @autoclosure () throws -> Data, to path: String, replace: () throws -> Void) throws {
        var info = stat()
        guard lstat(path, &info) == 0, info.st_mode & S_IFMT != S_IFREG else { return try replace() }
        let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw WriteFailure(path: path, cause: String(cString: strerror(errno))) }
        defer { close(descriptor) }
        if let code = writeAll(try data(), to: descriptor) { throw WriteFailure(path: path, cause: String(cString: strerror(code))) }
    }

    /// Writes all of `data`; the failing write's errno, or nil.
    static func writeAll(_ data: Data, to descriptor: Int32) -> Int32? {
        data.withUnsafeBytes { bytes -> Int32? in
            guard let base = bytes.baseAddress else { return nil }
            var offset = 0
            while offset < bytes.count {
                let n = Foundation.write(descriptor, base + offset, bytes.count - offset)
                if n >= 0 { offset += n } else if errno != EINTR { return errno }
            }
            return nil
        }
    }
}
