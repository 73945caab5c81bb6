import BERT
import Foundation

/// A failure of a command that is the user's to fix (a bad file, a write that failed): printed as one line
/// `error: ...` with exit status 1. Usage mistakes are ArgumentParser's `ValidationError` (exit status 2).
package struct CommandLineError: Error, CustomStringConvertible {
    /// The one-line message.
    package var description: String

    /// An error whose message is `description`.
    package init(_ description: String) { self.description = description }
}

/// One line describing `error`: its `description` when it has one (every error enum of the package does), else
/// Foundation's localized description; line breaks become "; " so the message stays one line.
package func oneLineDescription(_ error: Error) -> String {
    let text: String
    // Checked on the type: a cast of the value would succeed for every error through NSError bridging.
    if type(of: error) is CustomStringConvertible.Type, !(error is CocoaError) {
        text = String(describing: error)
    } else {
        text = (error as NSError).localizedDescription
    }
    return text.split(whereSeparator: \.isNewline).joined(separator: "; ")
}
