import BERTJSON
import Foundation

/// Hugging Face `NFC`, `NFD`, `NFKC` and `NFKD`. Alignments follow the crate's
/// `unicode-normalization-alignments`: each character's decomposition is its first code point (change 0) plus
/// insertions (+1); canonical reordering carries the changes along; a composition merges two changes minus one.
/// The `(code point, change)` list then goes through `NormalizedString.transform`, as in the crate.
public struct UnicodeNormalizer: Normalizer, Equatable {
    /// The four normalisation forms.
    public enum Form: String, Sendable, CaseIterable {
        /// Canonical composition.
        case nfc = "NFC"
        /// Canonical decomposition.
        case nfd = "NFD"
        /// Compatibility composition.
        case nfkc = "NFKC"
        /// Compatibility decomposition.
        case nfkd = "NFKD"
    }

    /// Which form.
    public var form: Form

    /// Creates the normaliser.
    public init(_ form: Form) { self.form = form }

    /// Normalises `text` to `form`.
    public func normalize(_ text: inout NormalizedString) {
        if text.scalars.allSatisfy({ $0 < 0x80 }) { return }  // ASCII is invariant under all four forms
        let compatibility = form == .nfkc || form == .nfkd
        var decomposed: [(UInt32, Int)] = []
        decomposed.reserveCapacity(text.count + 8)
        for cp in text.scalars {
            guard cp >= 0x80, let scalar = Unicode.Scalar(cp) else { decomposed.append((cp, 0)); continue }
            let single = String(scalar)
            let pieces = compatibility ? single.decomposedStringWithCompatibilityMapping : single.decomposedStringWithCanonicalMapping
            for (k, s) in pieces.unicodeScalars.enumerated() { decomposed.append((s.value, k == 0 ? 0 : 1)) }
        }
        Self.reorder(&decomposed)
        let result = form == .nfc || form == .nfkc ? Self.compose(decomposed) : decomposed
        text.transform(result)
    }

    static func combiningClass(_ cp: UInt32) -> UInt8 {
        guard cp >= 0x300, let s = Unicode.Scalar(cp) else { return 0 }
        return s.properties.canonicalCombiningClass.rawValue
    }

    /// Canonical ordering: runs of non-starters sorted by combining class, stably, changes travelling along.
    static func reorder(_ items: inout [(UInt32, Int)]) {
        var i = 0
        while i < items.count {
            guard combiningClass(items[i].0) != 0 else { i += 1; continue }
            var j = i
            while j < items.count && combiningClass(items[j].0) != 0 { j += 1 }
            if j - i > 1 {
                let sorted = items[i..<j].enumerated().sorted {
                    let (a, b) = (combiningClass($0.element.0), combiningClass($1.element.0))
                    return a != b ? a < b : $0.offset < $1.offset
                }.map(\.element)
                items.replaceSubrange(i..<j, with: sorted)
            }
            i = j
        }
    }

    /// The canonical composition algorithm (UAX #15) over decomposed `(code point, change)` items.
    static func compose(_ items: [(UInt32, Int)]) -> [(UInt32, Int)] {
        var out: [(UInt32, Int)] = []
        out.reserveCapacity(items.count)
        var starter: Int?
        var lastClass: Int = -1  // class of the last item after the starter; -1 when adjacent to it
        for (cp, change) in items {
            let cc = Int(combiningClass(cp))
            if let s = starter {
                let blocked = lastClass != -1 && (lastClass == 0 || lastClass >= cc)
                if !blocked, let composite = primaryComposite(out[s].0, cp) {
                    out[s] = (composite, out[s].1 + change - 1)
                    continue
                }
            }
            if cc == 0 {
                starter = out.count
                lastClass = -1
            } else {
                lastClass = cc
            }
            out.append((cp, change))
        }
        return out
    }

    /// The primary composite of `a` and `b`, if any (Foundation's NFC of the pair is one code point).
    static func primaryComposite(_ a: UInt32, _ b: UInt32) -> UInt32? {
        // Hangul composes algorithmically (Unicode 3.12); Foundation on Linux misses LV + T.
        if (0x1100...0x1112).contains(a) && (0x1161...0x1175).contains(b) {
            return 0xAC00 + ((a - 0x1100) * 21 + (b - 0x1161)) * 28
        }
        if (0xAC00...0xD7A3).contains(a) && (a - 0xAC00) % 28 == 0 && (0x11A8...0x11C2).contains(b) {
            return a + (b - 0x11A7)
        }
        guard a >= 0x3C, b >= 0x300, let x = Unicode.Scalar(a), let y = Unicode.Scalar(b) else {
            return nil
        }
        var view = String.UnicodeScalarView()
        view.append(x)
        view.append(y)
        let composed = String(view).precomposedStringWithCanonicalMapping.unicodeScalars
        guard composed.count == 1 else { return nil }
        return composed.first!.value
    }
}

extension UnicodeNormalizer: JSONLoadable {
    /// Reads `{"type": "NFC"}` (or NFD, NFKC, NFKD).
    package init(json: JSONFieldReader, context: ComponentContext) throws {
        let type = try json.requiredString("type")
        guard let form = Form(rawValue: type) else {
            throw TokenizerError.invalidComponent(path: json.file, key: json.keyPath("type"), reason: "is not a normalisation form")
        }
        self.init(form)
    }
}
