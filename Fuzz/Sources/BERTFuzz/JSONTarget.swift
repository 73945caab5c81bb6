// BERTJSON: parse; a parsed value written (compact, pretty, sorted, ASCII-escaped) and parsed again is equal.
// The one value the writer refuses is a non-finite number (1e999 parses to infinity, as in Python), so a write
// may throw only when the value holds one.
import BERT

func fuzzJSON(_ input: UnsafeRawBufferPointer) {
    let bytes = input.bindMemory(to: UInt8.self)
    guard let value = try? JSONValue.parse(bytes) else { return }
    _ = value.description
    let optionSets: [JSONWritingOptions] = [[], [.prettyPrinted, .sortedKeys], [.escapeNonASCII]]
    for options in optionSets {
        let written: [UInt8]
        do { written = try value.serialized(options: options) } catch {
            check(holdsNonFinite(value), "write failed for a finite value: \(error)")
            return
        }
        let again: JSONValue
        do { again = try JSONValue.parse(written) } catch {
            check(false, "written JSON does not parse (\(error)): \(String(decoding: written.prefix(200), as: UTF8.self))")
            return
        }
        check(again == value, "round trip changed the value: \(value) -> \(again)")
    }
}

private func holdsNonFinite(_ value: JSONValue) -> Bool {
    switch value {
    case let .number(d): return !d.isFinite
    case let .array(a): return a.contains(where: holdsNonFinite)
    case let .object(o): return o.members.contains { holdsNonFinite($0.value) }
    default: return false
    }
}
