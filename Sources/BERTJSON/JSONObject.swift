/// One `"key": value` member of a JSON object.
public struct JSONMember: Sendable, Equatable {
    /// The member's name.
    public var key: String
    /// The member's value.
    public var value: JSONValue

    /// A member named `key` holding `value`.
    public init(key: String, value: JSONValue) {
        self.key = key
        self.value = value
    }
}

/// The members of a JSON object in document order.
///
/// Kept as a list rather than a dictionary: parsing then hashes nothing, which matters for the one large object
/// in most files (a tokenizer's 30,000-entry vocabulary, which its loader turns into its own dictionary anyway),
/// and writing keeps the order the writer chose. Lookup by key is linear and, for a repeated key, finds the last
/// member, as Python's `json` and serde do; `dictionary` gives hashed access when it is worth building.
public struct JSONObject: Sendable, Equatable, RandomAccessCollection, ExpressibleByDictionaryLiteral {
    /// The members in order; a key may repeat.
    public var members: [JSONMember]

    /// An object with `members`, in that order.
    public init(members: [JSONMember] = []) {
        self.members = members
    }

    /// An object with the entries of `dictionary`, sorted by key (by Unicode scalar values, as Python's
    /// `sort_keys`), since a dictionary has no order of its own.
    public init(_ dictionary: [String: JSONValue]) {
        members = dictionary.map { JSONMember(key: $0.key, value: $0.value) }
            .sorted { $0.key.unicodeScalars.lexicographicallyPrecedes($1.key.unicodeScalars) }
    }

    /// An object with the literal's entries, in the literal's order.
    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        members = elements.map { JSONMember(key: $0.0, value: $0.1) }
    }

    /// The first member's position (0).
    public var startIndex: Int { members.startIndex }
    /// One past the last member's position.
    public var endIndex: Int { members.endIndex }
    /// The member at `position`.
    public subscript(position: Int) -> JSONMember { members[position] }

    /// The value of the last member named `key`, or nil. Setting replaces that member's value in place, appends
    /// a new member when there is none, and `nil` removes every member named `key`.
    public subscript(key: String) -> JSONValue? {
        get {
            for member in members.reversed() where member.key == key { return member.value }
            return nil
        }
        set {
            guard let newValue else {
                members.removeAll { $0.key == key }
                return
            }
            if let i = members.lastIndex(where: { $0.key == key }) {
                members[i].value = newValue
            } else {
                members.append(JSONMember(key: key, value: newValue))
            }
        }
    }

    /// The member names in order (repeats included).
    public var keys: [String] { members.map(\.key) }

    /// The first key that occurs a second time, in document order, or nil when every key is distinct. Formats
    /// stricter than JSON itself (a safetensors header, a tokenizer's vocabulary) reject such objects.
    public var firstRepeatedKey: String? {
        var seen = Set<String>()
        seen.reserveCapacity(members.count)
        for member in members where !seen.insert(member.key).inserted { return member.key }
        return nil
    }

    /// The members as a dictionary; for a repeated key the last member wins.
    public var dictionary: [String: JSONValue] {
        var result: [String: JSONValue] = [:]
        result.reserveCapacity(members.count)
        for member in members { result[member.key] = member.value }
        return result
    }

    /// Equal when the dictionaries are: member order is not significant in JSON.
    public static func == (lhs: JSONObject, rhs: JSONObject) -> Bool {
        if lhs.members == rhs.members { return true }
        return lhs.dictionary == rhs.dictionary
    }
}
