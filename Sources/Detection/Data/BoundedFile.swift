import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reading a user's file whole, with a bound: only a regular file is read (a symbolic link is
/// followed to one), and never more than a cap, so that `/dev/zero`, a FIFO or endless standard
/// input end in an error naming the file instead of taking the machine's memory (issue 38).
///
/// ```swift
/// let data = try BoundedFile.read("dt.json", role: "COCO JSON file", maxBytes: 1 << 30)
/// // /dev/zero: is a character device, not a file (a COCO JSON file must be a regular file)
/// ```
public enum BoundedFile {
    /// The file at `path`, whole. Throws `DataError`: `.missingFile` when nothing is there,
    /// `.notAFile` for a folder, a device, a FIFO, a socket or a dangling symbolic link,
    /// `.fileTooLarge` past `maxBytes` (from its size, before reading; and while reading, should
    /// it grow), `.unreadableFile` for permissions and I/O errors. `role` names it in errors.
    public static func read(_ path: String, role: String, maxBytes: Int) throws -> Data {
        let descriptor = try openRegular(path, role: role)
        defer { close(descriptor) }
        var status = stat()
        let size = fstat(descriptor, &status) == 0 ? Int(status.st_size) : 0
        if size > maxBytes { throw DataError.fileTooLarge(path: path, role: role, limit: maxBytes) }
        return try readAll(descriptor, path: path, role: role, maxBytes: maxBytes, expected: size)
    }

    /// Standard input, whole, up to `maxBytes` (a pipe has no size to check first: it is read up
    /// to the cap and refused past it). Errors name it "standard input".
    public static func readStandardInput(role: String, maxBytes: Int) throws -> Data {
        var status = stat()
        var size = 0
        if fstat(STDIN_FILENO, &status) == 0, status.st_mode & S_IFMT == S_IFREG {
            size = Int(status.st_size)
            if size > maxBytes { throw DataError.fileTooLarge(path: "standard input", role: role, limit: maxBytes) }
        }
        return try readAll(STDIN_FILENO, path: "standard input", role: role, maxBytes: maxBytes, expected: size)
    }

    /// The last `bytes` bytes of the regular file at `path` (all of a smaller one), checked as
    /// `read` checks it: what showing the end of a long log needs.
    public static func readTail(_ path: String, role: String, bytes: Int) throws -> Data {
        let handle = FileHandle(fileDescriptor: try openRegular(path, role: role), closeOnDealloc: true)
        defer { try? handle.close() }
        do {
            let size = try handle.seekToEnd()
            try handle.seek(toOffset: size - min(size, UInt64(max(0, bytes))))
            return try handle.read(upToCount: bytes) ?? Data()
        } catch {
            throw DataError.unreadableFile(path: path, reason: error.localizedDescription)
        }
    }

    /// The size of the regular file at `path`, checked as `read` checks it (without reading).
    public static func regularFileSize(_ path: String, role: String) throws -> Int {
        let descriptor = try openRegular(path, role: role)
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else { throw DataError.unreadableFile(path: path, reason: String(cString: strerror(errno))) }
        return Int(status.st_size)
    }

    /// "256 MB" (or bytes, for a cap under a megabyte).
    public static func megabytes(_ bytes: Int) -> String {
        bytes >= 1 << 20 && bytes % (1 << 20) == 0 ? "\(bytes >> 20) MB" : "\(bytes) bytes"
    }

    /// "an image", "a label file".
    static func article(_ role: String) -> String {
        ("aeiou".contains(role.first?.lowercased().first ?? "x") ? "an " : "a ") + role
    }

    /// What a file of this mode is, when it is not a regular file.
    static func kind(of mode: mode_t) -> String? {
        switch mode & S_IFMT {
        case S_IFREG: return nil
        case S_IFDIR: return "a folder"
        case S_IFCHR: return "a character device"
        case S_IFBLK: return "a block device"
        case S_IFIFO: return "a FIFO (named pipe)"
        case S_IFSOCK: return "a socket"
        default: return "not a regular file"
        }
    }

    /// Opens a regular file for reading: refused from `stat` (links followed) before the open,
    /// and checked again on the open descriptor, which a swap in between cannot pass. The open
    /// does not block on a FIFO (O_NONBLOCK, which a regular file's reads ignore).
    static func openRegular(_ path: String, role: String) throws -> Int32 {
        var status = stat()
        if stat(path, &status) != 0 {
            let error = errno
            var link = stat()
            if lstat(path, &link) == 0, link.st_mode & S_IFMT == S_IFLNK {
                let target = (try? FileManager.default.destinationOfSymbolicLink(atPath: path)) ?? "?"
                throw DataError.notAFile(path: path, role: role, kind: "a dangling symbolic link (to \(target))")
            }
            if error == ENOENT || error == ENOTDIR { throw DataError.missingFile(path: path, role: role) }
            throw DataError.unreadableFile(path: path, reason: String(cString: strerror(error)))
        }
        if let kind = kind(of: status.st_mode) { throw DataError.notAFile(path: path, role: role, kind: kind) }
        let descriptor = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
        guard descriptor >= 0 else { throw DataError.unreadableFile(path: path, reason: String(cString: strerror(errno))) }
        if fstat(descriptor, &status) != 0 || kind(of: status.st_mode) != nil {
            close(descriptor)
            throw DataError.notAFile(path: path, role: role, kind: kind(of: status.st_mode) ?? "not a regular file")
        }
        return descriptor
    }

    /// Reads to the end, refusing past `maxBytes`; `expected` sizes the buffer.
    static func readAll(_ descriptor: Int32, path: String, role: String, maxBytes: Int, expected: Int) throws -> Data {
        var data = Data()
        data.reserveCapacity(min(expected, maxBytes) + 1)
        let chunk = 1 << 20
        var buffer = [UInt8](repeating: 0, count: chunk)
        while true {
            let n = buffer.withUnsafeMutableBytes { systemRead(descriptor, $0.baseAddress, chunk) }
            if n == 0 { return data }
            if n < 0 {
                if errno == EINTR { continue }
                if errno == EAGAIN {
                    var request = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
                    _ = poll(&request, 1, -1)
                    continue
                }
                throw DataError.unreadableFile(path: path, reason: String(cString: strerror(errno)))
            }
            if data.count + n > maxBytes { throw DataError.fileTooLarge(path: path, role: role, limit: maxBytes) }
            data.append(contentsOf: buffer[0..<n])
        }
    }
}

/// The C library's read(2), which `BoundedFile.read` hides inside the type.
private func systemRead(_ descriptor: Int32, _ buffer: UnsafeMutableRawPointer?, _ count: Int) -> Int {
    read(descriptor, buffer, count)
}
