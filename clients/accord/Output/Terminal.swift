import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// What the terminal can show: its real size, and colour only on a terminal and without NO_COLOR.
enum Terminal {
    /// Columns to fit: `COLUMNS` when set, else the terminal's own width, else 80 (off a terminal).
    static let width = columns(environment: ProcessInfo.processInfo.environment, measured: measuredSize()?.columns)
    /// Rows on screen: `LINES` when set, else the terminal's own height, else 24.
    static let height = rows(environment: ProcessInfo.processInfo.environment, measured: measuredSize()?.rows)
    /// Standard output is a terminal a person reads, so long lists show a first page.
    static let showsPages = isatty(STDOUT_FILENO) == 1
    static let isInteractive = isatty(STDERR_FILENO) == 1
    static let colors = isatty(STDOUT_FILENO) == 1 && ProcessInfo.processInfo.environment["NO_COLOR"] == nil

    static func columns(environment: [String: String], measured: Int?) -> Int {
        if let text = environment["COLUMNS"], let columns = Int(text), columns > 0 { return max(columns, 20) }
        if let measured, measured > 0 { return max(measured, 20) }
        return 80
    }

    static func rows(environment: [String: String], measured: Int?) -> Int {
        if let text = environment["LINES"], let rows = Int(text), rows > 0 { return rows }
        if let measured, measured > 0 { return measured }
        return 24
    }

    /// The size the kernel reports for the terminal on standard output; nil when output goes to a pipe or a file,
    /// whose reader has no width.
    private static func measuredSize() -> (columns: Int, rows: Int)? {
        guard isatty(STDOUT_FILENO) == 1 else { return nil }
        var size = winsize()
        guard ioctl(STDOUT_FILENO, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 else { return nil }
        return (Int(size.ws_col), Int(size.ws_row))
    }

    static func paint(_ text: String, _ code: String) -> String {
        colors ? "\u{1B}[\(code)m\(text)\u{1B}[0m" : text
    }

    static func green(_ text: String) -> String { paint(text, "32") }
    static func yellow(_ text: String) -> String { paint(text, "33") }
    static func red(_ text: String) -> String { paint(text, "31") }
    static func dim(_ text: String) -> String { paint(text, "2") }

    /// Server text cleaned of control sequences and cut to `width` columns, with an ellipsis when cut.
    static func fit(_ text: String, _ width: Int) -> String {
        DisplayText.truncate(DisplayText.clean(text), to: width)
    }

    /// "just now", "5m ago", "3h ago", "2d ago".
    static func age(_ date: Date?, now: Date = Date()) -> String {
        guard let date else { return "never" }
        let seconds = Int(now.timeIntervalSince(date))
        switch seconds {
        case ..<60: return "just now"
        case ..<3_600: return "\(seconds / 60)m ago"
        case ..<86_400: return "\(seconds / 3_600)h ago"
        default: return "\(seconds / 86_400)d ago"
        }
    }

    /// Draws a progress bar on standard error when it is a terminal; silent otherwise.
    static func progress(_ label: String, done: Int64, total: Int64?) {
        guard isInteractive else { return }
        var line = "\(label) \(done)"
        if let total, total > 0 {
            let filled = Int(Double(min(done, total)) / Double(total) * 30)
            line = "\(label) [\(String(repeating: "#", count: filled))\(String(repeating: " ", count: 30 - filled))] \(done)/\(total)"
        }
        FileHandle.standardError.write(Data("\r\(fit(line, width - 1))\u{1B}[K".utf8))
    }

    static func endProgress() {
        guard isInteractive else { return }
        FileHandle.standardError.write(Data("\r\u{1B}[K".utf8))
    }
}
