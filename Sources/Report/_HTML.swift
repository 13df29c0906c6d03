import Foundation

/// Small helpers for writing HTML and SVG text.
enum HTML {
    /// Text made safe for element content and attribute values.
    static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.count)
        for ch in text {
            switch ch {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(ch)
            }
        }
        return out
    }

    /// A number as the page shows it: `digits` decimals, "-" for nil or non-finite.
    static func number(_ v: Double?, _ digits: Int = 2) -> String {
        guard let v, v.isFinite else { return "-" }
        return String(format: "%.\(digits)f", v)
    }

    /// A gain with its sign.
    static func signed(_ v: Double?, _ digits: Int = 2) -> String {
        guard let v, v.isFinite else { return "-" }
        return String(format: "%+.\(digits)f", v)
    }

    /// An SVG coordinate: one decimal is finer than a pixel.
    static func coordinate(_ v: Double) -> String { String(format: "%.1f", v) }

    /// A table: a header row and body rows of already escaped cells; `attributes` go on the
    /// table element.
    static func table(_ header: [String], _ rows: [[String]], attributes: String = "") -> String {
        var out = "<table\(attributes.isEmpty ? "" : " " + attributes)><thead><tr>"
        out += header.map { "<th>\($0)</th>" }.joined() + "</tr></thead><tbody>\n"
        for row in rows { out += "<tr>" + row.joined() + "</tr>\n" }
        return out + "</tbody></table>\n"
    }

    /// A cell with a class (for the page's style and for readers of the DOM).
    static func cell(_ text: String, _ cls: String = "") -> String {
        cls.isEmpty ? "<td>\(text)</td>" : "<td class=\"\(cls)\">\(text)</td>"
    }
}
