// SwiftPM links an executable's `main` under a module-specific name, so libFuzzer's own `main` is never the entry
// point; this one hands argv to libFuzzer's driver instead (which also means no -parse-as-library is needed).
import CFuzzerDriver
import Foundation

_ = selectedTarget  // an unknown FUZZ_TARGET fails before libFuzzer starts
var argc = CommandLine.argc
var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
exit(LLVMFuzzerRunDriver(&argc, &argv) { data, size in testOneInput(data, size) })
