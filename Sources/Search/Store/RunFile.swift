import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// How run and candidate folders' files are written (DESIGN.md, "Evaluations, workers and
/// executors"): never through a symbolic link, so that a link planted in a folder (a shared
/// file system, a folder someone else can write) cannot make a run truncate or append to a file
/// outside it.
///
/// - A file written whole (`replace`) is written to a new file beside it and renamed over it: a
///   reader sees the old file or the new one, never half, and a link in its place is replaced,
///   not followed.
/// - A file appended to or locked (`append`, `openForLock`) is opened without following a link
///   (`O_NOFOLLOW`); a link there, or anything but a regular file (a FIFO, a device), is refused
///   with the file's name.
///
///     try RunFile.replace(folder.hallOfFame, with: Data(text.utf8))
///     try RunFile.append(Data("a line\n".utf8), to: folder.log)
///
/// Failures are `SearchError.io` with the path and the cause.
public enum RunFile {
    /// Replaces the file at `url` (or the link there) with `data`, in one step.
    public static func replace(_ url: URL, with data: Data) throws {
        let path = url.path
        let folder = url.deletingLastPathComponent().path
        var temporary = "", descriptor: Int32 = -1
        // A name of our own beside the file (the rename must stay on its file system); O_EXCL
        // makes a name someone else made (or linked) an error, not a file we write through.
        for _ in 0..<16 {
            temporary = folder + "/." + url.lastPathComponent + ".tmp-" + String(UInt32.random(in: 0...UInt32.max), radix: 36)
            descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o644)
            if descriptor >= 0 || errno != EEXIST { break }
        }
        guard descriptor >= 0 else { throw failure(path, errno) }
        do {
            try writeAll(data, to: descriptor, path: path)
        } catch {
            close(descriptor)
            unlink(temporary)
            throw error
        }
        let closed = close(descriptor) == 0 ? 0 : errno
        if closed != 0 || rename(temporary, path) != 0 {
            let code = closed != 0 ? closed : errno
            unlink(temporary)
            throw failure(path, code)
        }
    }

    /// Appends `data` to the regular file at `url`, creating it when missing.
    public static func append(_ data: Data, to url: URL) throws {
        let descriptor = try openRegular(url, flags: O_WRONLY | O_APPEND)
        defer { close(descriptor) }
        try writeAll(data, to: descriptor, path: url.path)
    }

    /// The regular file at `url` opened for reading and writing (created when missing), for a
    /// lock; not inherited by the commands this process starts.
    static func openForLock(_ url: URL) throws -> Int32 { try openRegular(url, flags: O_RDWR) }

    /// Opens without following a link, and without blocking on a FIFO, then checks that a
    /// regular file was opened.
    private static func openRegular(_ url: URL, flags: Int32) throws -> Int32 {
        let descriptor = open(url.path, flags | O_CREAT | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK, 0o644)
        guard descriptor >= 0 else { throw failure(url.path, errno) }
        var info = stat()
        guard fstat(descriptor, &info) == 0 else {
            let code = errno
            close(descriptor)
            throw failure(url.path, code)
        }
        guard info.st_mode & S_IFMT == S_IFREG else {
            close(descriptor)
            throw SearchError.io(path: url.path, cause: "not a regular file: run files are written only as files of their own (remove it)")
        }
        return descriptor
    }

    private static func writeAll(_ data: Data, to descriptor: Int32, path: String) throws {
        try data.withUnsafeBytes { (bytes: UnsafeRawBufferPointer) in
            guard let base = bytes.baseAddress else { return }
            var offset = 0
            while offset < bytes.count {
                let written = write(descriptor, base + offset, bytes.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    throw failure(path, errno)
                }
                offset += written
            }
        }
    }

    /// The operating system's reason, a link's in words that say what to do.
    static func failure(_ path: String, _ code: Int32) -> SearchError {
        // O_NOFOLLOW on a link fails with ELOOP ("Too many levels of symbolic links").
        if code == ELOOP { return .io(path: path, cause: "a symbolic link: run files are not written through links (remove it)") }
        return .io(path: path, cause: String(cString: strerror(code)))
    }
}
