import ArgumentParser
import BERTKernels
import BERTTraining
import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Runs a root command with the exit statuses the CLI documents: 0 success (and `--help`), 1 a failure that is
/// the user's to fix (`error: ...` on one line of stderr), 2 a usage mistake (unknown flag, missing or invalid
/// option: the parser's message and a pointer to `--help`).
package enum CommandMain {
    /// Parses the process's arguments as `root`, runs the chosen subcommand and exits.
    package static func run(_ root: ParsableCommand.Type, arguments: [String]? = nil) async -> Never {
        // A closed pipe must surface as EPIPE from write(2), which StandardOutput reports, not kill the process.
        signal(SIGPIPE, SIG_IGN)
        do {
            var command = try root.parseAsRoot(arguments)
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
            DataParallelGroup.leave(status: 0)
            exit(0)
        } catch {
            // Under mpirun a failing rank aborts the job (after its message), so the others do not wait forever.
            let status = report(error, root: root)
            DataParallelGroup.leave(status: status)
            exit(status)
        }
    }

    /// Prints `error` and returns the exit status for it.
    static func report(_ error: Error, root: ParsableCommand.Type) -> Int32 {
        if let exitCode = error as? ExitCode { return exitCode.rawValue }
        let code = root.exitCode(for: error)
        if code == .success {
            // --help, --version and CleanExit: their text goes to stdout.
            let text = root.fullMessage(for: error)
            if !text.isEmpty { try? StandardOutput.line(text) }
            return 0
        }
        if error is CommandLineError || code != .validationFailure {
            printToStandardError("error: " + oneLineDescription(error))
            return 1
        }
        let message = root.message(for: error).split(whereSeparator: \.isNewline).joined(separator: "; ")
        printToStandardError("error: \(message) (see --help)")
        return 2
    }
}
