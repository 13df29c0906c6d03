import Foundation

/// File access for the data layer, turning Foundation's nil and NSError answers into `DataError`s
/// that name the file.
enum _FileIO {
    static func exists(_ path: String, directory: Bool = false) -> Bool {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { return false }
        return isDirectory.boolValue == directory
    }

    /// The whole file, at most `maxBytes` of it; `role` names it in the error if it is not there
    /// ("image", "label file"), or is not a regular file (`BoundedFile`).
    static func read(_ path: String, role: String, maxBytes: Int) throws -> Data {
        try BoundedFile.read(path, role: role, maxBytes: maxBytes)
    }

    /// The most read of a label file (some 2 million lines) and of a class names file.
    static let maxLabelFileBytes = 64 << 20
    static let maxNamesFileBytes = 16 << 20

    /// Whether anything is at `path`, a dangling symbolic link included.
    static func anythingAt(_ path: String) -> Bool {
        var status = stat()
        return lstat(path, &status) == 0
    }

    /// The file's first `head` bytes, its last `tail` bytes (overlapping the head for small files)
    /// and its size: what a header check needs, without reading the pixels in between. Only a
    /// regular file is read (`BoundedFile`): /dev/zero has no end to find.
    static func readEnds(_ path: String, head: Int, tail: Int, role: String) throws -> (head: Data, tail: Data, size: Int) {
        let handle = FileHandle(fileDescriptor: try BoundedFile.openRegular(path, role: role), closeOnDealloc: true)
        defer { try? handle.close() }
        do {
            let size = Int(try handle.seekToEnd())
            if size <= head + tail {
                try handle.seek(toOffset: 0)
                let all = try handle.read(upToCount: size) ?? Data()
                return (all, all, all.count)
            }
            try handle.seek(toOffset: 0)
            let first = try handle.read(upToCount: head) ?? Data()
            try handle.seek(toOffset: UInt64(size - tail))
            let last = try handle.read(upToCount: tail) ?? Data()
            return (first, last, size)
        } catch {
            throw DataError.unreadableFile(path: path, reason: reason(error))
        }
    }

    /// Writes atomically (a temporary file renamed into place), creating the parent folder.
    static func write(_ data: Data, to path: String) throws {
        let url = URL(fileURLWithPath: path)
        do {
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try data.write(to: url, options: .atomic)
        } catch {
            throw DataError.writeFailed(path: path, reason: exists(path, directory: true) ? "it is a folder, not a file" : reason(error))
        }
    }

    /// The names of the regular files in a folder, sorted (byte order, so that ids are stable
    /// across platforms and locales).
    static func files(in folder: String) throws -> [String] {
        do {
            let names = try FileManager.default.contentsOfDirectory(atPath: folder)
            return names.filter { !$0.hasPrefix(".") && exists(folder + "/" + $0) }.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        } catch {
            throw DataError.unreadableFile(path: folder, reason: reason(error))
        }
    }

    static func subfolders(of folder: String) -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
        return names.filter { !$0.hasPrefix(".") && exists(folder + "/" + $0, directory: true) }.sorted()
    }

    private static func reason(_ error: Error) -> String {
        let ns = error as NSError
        if let underlying = ns.userInfo[NSUnderlyingErrorKey] as? NSError {
            return underlying.localizedDescription
        }
        return ns.localizedDescription
    }
}
