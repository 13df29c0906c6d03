/// A comma-separated option value (`--weights 0.5,1,2`, `--rungs 0.25,0.5`), every item checked
/// by `parse`; an empty list or an item it refuses (nil) is one line naming the option.
func commaList<T>(_ text: String, option: String, _ parse: (String) -> T?) throws -> [T] {
    let items = text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
    guard !items.isEmpty else { throw CLIError("\(option) '\(text)': give at least one value") }
    return try items.map { item in
        guard let value = parse(item) else { throw CLIError("\(option) '\(text)': '\(item)' is out of range or not a number") }
        return value
    }
}
