import Foundation

/// The process's peak resident set so far, in MiB. On Linux `VmHWM` of /proc/self/status, which starts afresh at
/// exec (`getrusage`'s `ru_maxrss` carries over a large parent's peak into a child it starts, e.g. a Python
/// benchmark driver); elsewhere `ru_maxrss` (bytes on Darwin).
func peakResidentMiB() -> Double {
    #if os(Linux)
    if let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
       let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
       let kib = Double(line.split(separator: " ").dropFirst().first ?? "") {
        return kib / 1024
    }
    var usage = rusage()
    getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
    return Double(usage.ru_maxrss) / 1024
    #else
    var usage = rusage()
    getrusage(RUSAGE_SELF, &usage)
    return Double(usage.ru_maxrss) / 1024 / 1024
    #endif
}
