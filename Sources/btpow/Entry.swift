import ArgumentParser
import Foundation
import Logging

/// Runs the command and maps every failure to one line on stderr and a documented exit code:
/// bad input is 2 (ArgumentParser's own default, 64, would not match our contract).
@main
enum Entry {
    static func main() async {
        do {
            var command = try Btpow.parseAsRoot()
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch let code as ExitCode {
            exit(code.rawValue)
        } catch let error as CLIError {
            Console.error(error.description)
            exit(error.exitCode)
        } catch {
            if Btpow.exitCode(for: error) == .success { Btpow.exit(withError: error) }   // --help, --version
            let message = Btpow.message(for: error)
                .split(separator: "\n").first.map(String.init) ?? "\(error)"
            Console.error(message)
            exit(CLIError.badInputCode)
        }
    }
}

/// A failure the user should read in one line, with its exit code.
struct CLIError: Error, CustomStringConvertible {
    static let badInputCode: Int32 = 2
    let description: String
    let exitCode: Int32

    static func badInput(_ message: String) -> CLIError { CLIError(description: message, exitCode: badInputCode) }
}

enum Console {
    static func error(_ message: String) {
        FileHandle.standardError.write(Data("btpow: error: \(message)\n".utf8))
    }

    static func status(_ text: String) {
        FileHandle.standardError.write(Data(text.utf8))
    }

    static var stderrIsTerminal: Bool { isatty(STDERR_FILENO) != 0 }

    /// Prints a JSON object with stable key order on stdout.
    static func printJSON<T: Encodable>(_ value: T) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let data = try encoder.encode(value)
        print(String(decoding: data, as: UTF8.self))
    }
}

/// Library logs (reconnects, stale work) go to stderr at warning and above unless BTPOW_LOG_LEVEL says otherwise.
enum Log {
    static let library: Logger = {
        var logger = Logger(label: "btpow")
        let level = ProcessInfo.processInfo.environment["BTPOW_LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:))
        logger.logLevel = level ?? .warning
        return logger
    }()
}
