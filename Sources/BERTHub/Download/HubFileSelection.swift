/// Which files of a Hub repository a download fetches: by default only what this package loads (configuration,
/// safetensors weights — never pickles —, tokenizer files and sentence-transformers module folders), or the files
/// matching `--include` globs (fnmatch rules as `huggingface_hub`'s `allow_patterns`: `*` also crosses `/`, and a
/// pattern ending in `/` means everything below that folder).
package enum HubFileSelection {
    /// Top-level files a model folder may need.
    static let modelFiles: Set<String> = [
        "config.json", "model.safetensors.index.json",
        "tokenizer.json", "tokenizer_config.json", "special_tokens_map.json", "added_tokens.json",
        "vocab.txt", "vocab.json", "merges.txt", "spiece.model", "sentencepiece.bpe.model",
        "modules.json", "config_sentence_transformers.json", "sentence_bert_config.json",
    ]

    /// The files of `listing` to fetch.
    package static func select(_ listing: [String], include patterns: [String]?) -> [String] {
        if let patterns, !patterns.isEmpty {
            let expanded = patterns.map { $0.hasSuffix("/") ? $0 + "*" : $0 }
            return listing.filter { path in expanded.contains { glob($0, matches: path) } }
        }
        return listing.filter(isModelFile)
    }

    /// A file the default download keeps: a model file at the top, or a config / safetensors file inside a
    /// sentence-transformers module folder (`1_Pooling/config.json`, `2_Dense/model.safetensors`).
    static func isModelFile(_ path: String) -> Bool {
        let parts = path.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        guard let name = parts.last else { return false }
        let wanted = modelFiles.contains(name) || name.hasSuffix(".safetensors")
        switch parts.count {
        case 1: return wanted
        case 2:
            let folder = parts[0]
            let isModuleFolder = folder.first?.isNumber == true && folder.contains("_")
            return isModuleFolder && (name == "config.json" || name.hasSuffix(".safetensors"))
        default: return false
        }
    }

    /// fnmatch: `*` any run (slashes included), `?` one character, `[abc]` / `[!abc]` / `[a-z]` a class.
    package static func glob(_ pattern: String, matches text: String) -> Bool {
        let p = Array(pattern), t = Array(text)
        var pi = 0, ti = 0
        var star = -1, mark = 0
        while ti < t.count {
            if pi < p.count, p[pi] == "*" {
                star = pi; mark = ti; pi += 1
            } else if pi < p.count, let next = matchOne(p, pi, t[ti]) {
                pi = next; ti += 1
            } else if star >= 0 {
                pi = star + 1; mark += 1; ti = mark
            } else {
                return false
            }
        }
        while pi < p.count, p[pi] == "*" { pi += 1 }
        return pi == p.count
    }

    /// If `p[i...]` starts with a single-character pattern matching `c`, the index after it.
    private static func matchOne(_ p: [Character], _ i: Int, _ c: Character) -> Int? {
        switch p[i] {
        case "?": return i + 1
        case "[":
            var j = i + 1
            let negate = j < p.count && (p[j] == "!" || p[j] == "^")
            if negate { j += 1 }
            var matched = false
            var first = true
            while j < p.count, p[j] != "]" || first {
                first = false
                if j + 2 < p.count, p[j + 1] == "-", p[j + 2] != "]" {
                    if p[j] <= c && c <= p[j + 2] { matched = true }
                    j += 3
                } else {
                    if p[j] == c { matched = true }
                    j += 1
                }
            }
            guard j < p.count else { return p[i] == c ? i + 1 : nil }  // no closing bracket: a literal "["
            return matched != negate ? j + 1 : nil
        default: return p[i] == c ? i + 1 : nil
        }
    }

    /// A repository file name that stays inside the snapshot: relative, no empty, `.` or `..` parts, no NUL or
    /// backslash (huggingface_hub's `_validate_relative_filename` refuses the same).
    package static func isSafe(_ path: String) -> Bool {
        guard !path.isEmpty, !path.hasPrefix("/"), !path.contains("\\"), !path.contains("\0") else { return false }
        return !path.split(separator: "/", omittingEmptySubsequences: false).contains { $0.isEmpty || $0 == "." || $0 == ".." }
    }
}
