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
            exit(error.status.rawValue)
        } catch {
            if Btpow.exitCode(for: error) == .success { Btpow.exit(withError: error) }   // --help, --version
            let message = Btpow.message(for: error)
                .split(separator: "\n").first.map(String.init) ?? "\(error)"
            Console.error(message)
            exit(ExitStatus.badInput.rawValue)
        }
    }
}

/// Every exit code btpow uses (README, "Exit codes"): the same failure exits the same way in every command.
enum ExitStatus: Int32, CaseIterable {
    case success = 0
    /// No solution in the range; the seal does not meet the rule; the solve stopped without a solution.
    case noSolution = 1
    /// Bad input (one line on stderr), a subnet that does not exist, a GPU that cannot be used.
    case badInput = 2
    case alreadyRegistered = 3
    /// The node is unreachable or answers with errors.
    case chainError = 4
    /// A solver worker (a GPU) failed while solving.
    case workerFailed = 5
    /// Ctrl-C.
    case interrupted = 130

    var exit: ExitCode { ExitCode(rawValue) }
}

/// A failure the user should read in one line, with its exit status.
struct CLIError: Error, CustomStringConvertible {
    let description: String
    let status: ExitStatus

    init(_ description: String, _ status: ExitStatus) {
        self.description = description
        self.status = status
    }

    static func badInput(_ message: String) -> CLIError { CLIError(message, .badInput) }
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
