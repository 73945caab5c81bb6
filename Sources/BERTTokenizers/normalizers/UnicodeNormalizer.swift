import BERTJSON

/// Hugging Face `NFC`, `NFD`, `NFKC` and `NFKD`. Alignments follow the crate's
/// `unicode-normalization-alignments` (with its tables: `NormalizationData`): each character's decomposition is its first code point (change 0) plus
/// insertions (+1); canonical reordering carries the changes along; a composition merges two changes minus one.
/// The `(code point, change)` list then goes through `NormalizedString.transform`, as in the crate.
package struct UnicodeNormalizer: Normalizer, Equatable {
    /// The four normalisation forms.
    package enum Form: String, Sendable, CaseIterable {
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
    package var form: Form

    /// Creates the normaliser.
    package init(_ form: Form) { self.form = form }

    /// Normalises `text` to `form`.
    package func normalize(_ text: inout NormalizedString) {
        let data = NormalizationData.shared
        let compatibility = form == .nfkc || form == .nfkd
        let composing = form == .nfc || form == .nfkc
        // Quick check: text with no decomposable scalar, no non-starter and (when composing) nothing that can
        // be the second half of a composite is already in the form; ASCII never reaches the table.
        let relevant = 0xFF | (compatibility ? NormalizationData.compatibilityDecomposes : NormalizationData.canonicalDecomposes)
            | (composing ? NormalizationData.composesAsSecond : 0)
        guard text.scalars.contains(where: { $0 >= 0x80 && data.properties[$0] & relevant != 0 }) else { return }
        var decomposed: [(UInt32, Int)] = []
        decomposed.reserveCapacity(text.count + 8)
        for cp in text.scalars {
            if cp < 0x80 {
                decomposed.append((cp, 0))
            } else {
                data.appendDecomposition(of: cp, compatibility: compatibility, to: &decomposed)
            }
        }
        Self.reorder(&decomposed, data)
        text.transform(composing ? Self.compose(decomposed, data) : decomposed)
    }

    /// Canonical ordering: runs of non-starters sorted by combining class, stably, changes travelling along.
    static func reorder(_ items: inout [(UInt32, Int)], _ data: NormalizationData) {
        var i = 0
        while i < items.count {
            guard items[i].0 >= 0x300, data.combiningClass(items[i].0) != 0 else { i += 1; continue }
            var j = i + 1
            while j < items.count && items[j].0 >= 0x300 && data.combiningClass(items[j].0) != 0 { j += 1 }
            // Insertion sort: runs of non-starters are short, and it is stable as canonical ordering must be.
            for k in (i + 1)..<max(j, i + 1) {
                let item = items[k]
                let cc = data.combiningClass(item.0)
                var m = k
                while m > i && data.combiningClass(items[m - 1].0) > cc {
                    items[m] = items[m - 1]
                    m -= 1
                }
                items[m] = item
            }
            i = j
        }
    }

    /// The canonical composition algorithm (UAX #15) over decomposed `(code point, change)` items, as the
    /// crate's `Recompositions` runs it; a composite keeps the starter's change plus the merged one's minus one.
    static func compose(_ items: [(UInt32, Int)], _ data: NormalizationData) -> [(UInt32, Int)] {
        var out: [(UInt32, Int)] = []
        out.reserveCapacity(items.count)
        var starter: Int?
        var lastClass: Int = -1  // class of the last item after the starter; -1 when adjacent to it
        for (cp, change) in items {
            let cc = cp < 0x300 ? 0 : Int(data.combiningClass(cp))
            if let s = starter {
                let blocked = lastClass != -1 && (lastClass == 0 || lastClass >= cc)
                if !blocked, cp >= 0x300, let composite = data.composite(out[s].0, cp) {
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
