import Foundation

/// `Codable` values to and from `JSONValue`, so that files written from `Codable` types (trainer state, run
/// summaries, instance-file headers) go through this module's reader and writer like every other JSON file.
///
/// Objects keep the order in which a type encodes its keys; a `URL` is its `absoluteString` (as `JSONEncoder` writes
/// it); a `Float` is written as its shortest decimal (`5e-05`, not `4.999999873689376e-05`) and read back exactly;
/// `UInt64` values above `Int64.max` are `.unsigned`. Decoding checks ranges: a number that does not fit the
/// requested integer type, or is not whole, is a `DecodingError`, never a truncated value.
package enum JSONCoding {
    /// The JSON form of `value`. With `nonFiniteAsStrings`, NaN and ±infinity are written as the strings `"nan"`,
    /// `"inf"` and `"-inf"` (as `JSONEncoder`'s `convertToString` strategy); otherwise they stay numbers, which the
    /// writer refuses.
    package static func encode<T: Encodable>(_ value: T, nonFiniteAsStrings: Bool = false) throws -> JSONValue {
        let node = EncodingNode(nonFiniteAsStrings: nonFiniteAsStrings)
        try node.store(value, codingPath: [])
        return node.value
    }

    /// A `T` read from `json`; `DecodingError`s name the coding path. With `nonFiniteFromStrings`, a `Double` or
    /// `Float` may be given as `"nan"`, `"inf"` or `"-inf"`.
    package static func decode<T: Decodable>(_ type: T.Type, from json: JSONValue, nonFiniteFromStrings: Bool = false) throws -> T {
        try ValueDecoder(json, codingPath: [], nonFiniteFromStrings: nonFiniteFromStrings).decodeValue(T.self)
    }
}

/// A key for the containers' nested paths and for `superEncoder()`.
private struct AnyKey: CodingKey {
    var stringValue: String
    var intValue: Int?
    init(stringValue: String) { self.stringValue = stringValue }
    init(intValue: Int) { (stringValue, self.intValue) = ("Index \(intValue)", intValue) }
    static let `super` = AnyKey(stringValue: "super")
}

// MARK: Encoding

/// A value under construction: containers hand out child nodes and read them when the whole tree is done.
private final class EncodingNode {
    enum Content { case empty, leaf(JSONValue), object([(key: String, node: EncodingNode)]), array([EncodingNode]) }
    var content = Content.empty
    let nonFiniteAsStrings: Bool

    init(nonFiniteAsStrings: Bool) { self.nonFiniteAsStrings = nonFiniteAsStrings }

    var value: JSONValue {
        switch content {
        case .empty: return .object(JSONObject())
        case let .leaf(v): return v
        case let .object(members):
            var object = JSONObject()
            for member in members { object[member.key] = member.node.value }
            return .object(object)
        case let .array(nodes): return .array(nodes.map(\.value))
        }
    }

    func store<T: Encodable>(_ value: T, codingPath: [CodingKey]) throws {
        switch value {
        case let json as JSONValue: content = .leaf(json)
        case let url as URL: content = .leaf(.string(url.absoluteString))
        default: try value.encode(to: NodeEncoder(node: self, codingPath: codingPath))
        }
    }

    /// A `Float` as the `Double` of its shortest decimal form, which converts back to the same `Float`.
    func number(_ value: Float) -> JSONValue {
        guard value.isFinite, let shortest = Double("\(value)") else { return number(Double(value)) }
        return .number(shortest)
    }

    func number(_ value: Double) -> JSONValue {
        guard !value.isFinite, nonFiniteAsStrings else { return .number(value) }
        return .string(value.isNaN ? "nan" : value > 0 ? "inf" : "-inf")
    }

    func child(forKey key: String) -> EncodingNode {
        let child = EncodingNode(nonFiniteAsStrings: nonFiniteAsStrings)
        var members: [(key: String, node: EncodingNode)] = []
        if case let .object(existing) = content { members = existing }
        if let index = members.firstIndex(where: { $0.key == key }) { members[index].node = child } else { members.append((key, child)) }
        content = .object(members)
        return child
    }

    func appendChild() -> EncodingNode {
        let child = EncodingNode(nonFiniteAsStrings: nonFiniteAsStrings)
        var nodes: [EncodingNode] = []
        if case let .array(existing) = content { nodes = existing }
        nodes.append(child)
        content = .array(nodes)
        return child
    }
}

private struct NodeEncoder: Encoder {
    let node: EncodingNode
    let codingPath: [CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        if case .object = node.content {} else { node.content = .object([]) }
        return KeyedEncodingContainer(KeyedNodeContainer<Key>(node: node, codingPath: codingPath))
    }

    func unkeyedContainer() -> UnkeyedEncodingContainer {
        if case .array = node.content {} else { node.content = .array([]) }
        return UnkeyedNodeContainer(node: node, codingPath: codingPath)
    }

    func singleValueContainer() -> SingleValueEncodingContainer { SingleNodeContainer(node: node, codingPath: codingPath) }
}

private struct KeyedNodeContainer<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let node: EncodingNode
    let codingPath: [CodingKey]

    mutating func encodeNil(forKey key: Key) throws { node.child(forKey: key.stringValue).content = .leaf(.null) }
    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
        try node.child(forKey: key.stringValue).store(value, codingPath: codingPath + [key])
    }
    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key) -> KeyedEncodingContainer<NestedKey> {
        NodeEncoder(node: node.child(forKey: key.stringValue), codingPath: codingPath + [key]).container(keyedBy: keyType)
    }
    mutating func nestedUnkeyedContainer(forKey key: Key) -> UnkeyedEncodingContainer {
        NodeEncoder(node: node.child(forKey: key.stringValue), codingPath: codingPath + [key]).unkeyedContainer()
    }
    mutating func superEncoder() -> Encoder { NodeEncoder(node: node.child(forKey: "super"), codingPath: codingPath + [AnyKey.super]) }
    mutating func superEncoder(forKey key: Key) -> Encoder {
        NodeEncoder(node: node.child(forKey: key.stringValue), codingPath: codingPath + [key])
    }
}

private struct UnkeyedNodeContainer: UnkeyedEncodingContainer {
    let node: EncodingNode
    let codingPath: [CodingKey]
    var count: Int { if case let .array(nodes) = node.content { return nodes.count } else { return 0 } }

    private var nextPath: [CodingKey] { codingPath + [AnyKey(intValue: count)] }
    mutating func encodeNil() throws { node.appendChild().content = .leaf(.null) }
    mutating func encode<T: Encodable>(_ value: T) throws {
        let path = nextPath
        try node.appendChild().store(value, codingPath: path)
    }
    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
        let path = nextPath
        return NodeEncoder(node: node.appendChild(), codingPath: path).container(keyedBy: keyType)
    }
    mutating func nestedUnkeyedContainer() -> UnkeyedEncodingContainer {
        let path = nextPath
        return NodeEncoder(node: node.appendChild(), codingPath: path).unkeyedContainer()
    }
    mutating func superEncoder() -> Encoder {
        let path = nextPath
        return NodeEncoder(node: node.appendChild(), codingPath: path)
    }
}

private struct SingleNodeContainer: SingleValueEncodingContainer {
    let node: EncodingNode
    let codingPath: [CodingKey]

    mutating func encodeNil() throws { node.content = .leaf(.null) }
    mutating func encode(_ value: Bool) throws { node.content = .leaf(.bool(value)) }
    mutating func encode(_ value: String) throws { node.content = .leaf(.string(value)) }
    mutating func encode(_ value: Double) throws { node.content = .leaf(node.number(value)) }
    mutating func encode(_ value: Float) throws { node.content = .leaf(node.number(value)) }
    mutating func encode(_ value: Int) throws { node.content = .leaf(.integer(Int64(value))) }
    mutating func encode(_ value: Int8) throws { node.content = .leaf(.integer(Int64(value))) }
    mutating func encode(_ value: Int16) throws { node.content = .leaf(.integer(Int64(value))) }
    mutating func encode(_ value: Int32) throws { node.content = .leaf(.integer(Int64(value))) }
    mutating func encode(_ value: Int64) throws { node.content = .leaf(.integer(value)) }
    mutating func encode(_ value: UInt) throws { try encode(UInt64(value)) }
    mutating func encode(_ value: UInt8) throws { node.content = .leaf(.integer(Int64(value))) }
    mutating func encode(_ value: UInt16) throws { node.content = .leaf(.integer(Int64(value))) }
    mutating func encode(_ value: UInt32) throws { node.content = .leaf(.integer(Int64(value))) }
    mutating func encode(_ value: UInt64) throws {
        node.content = .leaf(Int64(exactly: value).map(JSONValue.integer) ?? .unsigned(value))
    }
    mutating func encode<T: Encodable>(_ value: T) throws { try node.store(value, codingPath: codingPath) }
}

// MARK: Decoding

private struct ValueDecoder: Decoder {
    let value: JSONValue
    let codingPath: [CodingKey]
    let nonFiniteFromStrings: Bool
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    init(_ value: JSONValue, codingPath: [CodingKey], nonFiniteFromStrings: Bool) {
        (self.value, self.codingPath, self.nonFiniteFromStrings) = (value, codingPath, nonFiniteFromStrings)
    }

    func child(_ value: JSONValue, _ key: CodingKey) -> ValueDecoder {
        ValueDecoder(value, codingPath: codingPath + [key], nonFiniteFromStrings: nonFiniteFromStrings)
    }

    func mismatch(_ expected: Any.Type) -> DecodingError {
        .typeMismatch(expected, .init(codingPath: codingPath, debugDescription: "expected \(expected), found \(value.kind)"))
    }

    func decodeValue<T: Decodable>(_ type: T.Type) throws -> T {
        if T.self == JSONValue.self { return value as! T }
        if T.self == URL.self {
            guard case let .string(text) = value, let url = URL(string: text) else { throw mismatch(URL.self) }
            return url as! T
        }
        return try T(from: self)
    }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        guard case let .object(object) = value else { throw mismatch(JSONObject.self) }
        return KeyedDecodingContainer(KeyedValueContainer<Key>(object: object, decoder: self))
    }

    func unkeyedContainer() throws -> UnkeyedDecodingContainer {
        guard case let .array(elements) = value else { throw mismatch([JSONValue].self) }
        return UnkeyedValueContainer(elements: elements, decoder: self)
    }

    func singleValueContainer() throws -> SingleValueDecodingContainer { SingleValueDecoding(decoder: self) }
}

private struct KeyedValueContainer<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let object: JSONObject
    let decoder: ValueDecoder
    var codingPath: [CodingKey] { decoder.codingPath }

    var allKeys: [Key] { object.keys.compactMap { Key(stringValue: $0) } }
    func contains(_ key: Key) -> Bool { object[key.stringValue] != nil }

    private func member(_ key: Key) throws -> JSONValue {
        guard let value = object[key.stringValue] else {
            throw DecodingError.keyNotFound(key, .init(codingPath: codingPath, debugDescription: "no \"\(key.stringValue)\""))
        }
        return value
    }
    func decodeNil(forKey key: Key) throws -> Bool { try member(key).isNull }
    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
        try decoder.child(try member(key), key).decodeValue(type)
    }
    func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws -> KeyedDecodingContainer<NestedKey> {
        try decoder.child(try member(key), key).container(keyedBy: type)
    }
    func nestedUnkeyedContainer(forKey key: Key) throws -> UnkeyedDecodingContainer {
        try decoder.child(try member(key), key).unkeyedContainer()
    }
    func superDecoder() throws -> Decoder { decoder.child(object["super"] ?? .null, AnyKey.super) }
    func superDecoder(forKey key: Key) throws -> Decoder { decoder.child(object[key.stringValue] ?? .null, key) }
}

private struct UnkeyedValueContainer: UnkeyedDecodingContainer {
    let elements: [JSONValue]
    let decoder: ValueDecoder
    var codingPath: [CodingKey] { decoder.codingPath }
    var currentIndex = 0
    var count: Int? { elements.count }
    var isAtEnd: Bool { currentIndex >= elements.count }

    init(elements: [JSONValue], decoder: ValueDecoder) { (self.elements, self.decoder) = (elements, decoder) }

    private mutating func next() throws -> ValueDecoder {
        guard !isAtEnd else {
            throw DecodingError.valueNotFound(Any.self, .init(codingPath: codingPath, debugDescription: "the array has only \(elements.count) elements"))
        }
        defer { currentIndex += 1 }
        return decoder.child(elements[currentIndex], AnyKey(intValue: currentIndex))
    }
    mutating func decodeNil() throws -> Bool {
        guard !isAtEnd, elements[currentIndex].isNull else { return false }
        currentIndex += 1
        return true
    }
    mutating func decode<T: Decodable>(_ type: T.Type) throws -> T { try next().decodeValue(type) }
    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws -> KeyedDecodingContainer<NestedKey> {
        try next().container(keyedBy: type)
    }
    mutating func nestedUnkeyedContainer() throws -> UnkeyedDecodingContainer { try next().unkeyedContainer() }
    mutating func superDecoder() throws -> Decoder { try next() }
}

private struct SingleValueDecoding: SingleValueDecodingContainer {
    let decoder: ValueDecoder
    var codingPath: [CodingKey] { decoder.codingPath }

    private func integer<T: FixedWidthInteger>(_ type: T.Type) throws -> T {
        switch decoder.value {
        case let .integer(i): if let v = T(exactly: i) { return v }
        case let .unsigned(u): if let v = T(exactly: u) { return v }
        case let .number(d) where d == d.rounded() && abs(d) < 9_007_199_254_740_992: if let v = T(exactly: d) { return v }
        default: break
        }
        throw DecodingError.dataCorrupted(.init(codingPath: codingPath, debugDescription: "\(decoder.value) is not a \(T.self)"))
    }

    func decodeNil() -> Bool { decoder.value.isNull }
    func decode(_ type: Bool.Type) throws -> Bool {
        guard let b = decoder.value.boolValue else { throw decoder.mismatch(type) }
        return b
    }
    func decode(_ type: String.Type) throws -> String {
        guard let s = decoder.value.stringValue else { throw decoder.mismatch(type) }
        return s
    }
    func decode(_ type: Double.Type) throws -> Double {
        if let d = decoder.value.doubleValue { return d }
        if decoder.nonFiniteFromStrings, case let .string(text) = decoder.value {
            switch text {
            case "nan": return .nan
            case "inf": return .infinity
            case "-inf": return -.infinity
            default: break
            }
        }
        throw decoder.mismatch(type)
    }
    func decode(_ type: Float.Type) throws -> Float { Float(try decode(Double.self)) }
    func decode(_ type: Int.Type) throws -> Int { try integer(type) }
    func decode(_ type: Int8.Type) throws -> Int8 { try integer(type) }
    func decode(_ type: Int16.Type) throws -> Int16 { try integer(type) }
    func decode(_ type: Int32.Type) throws -> Int32 { try integer(type) }
    func decode(_ type: Int64.Type) throws -> Int64 { try integer(type) }
    func decode(_ type: UInt.Type) throws -> UInt { try integer(type) }
    func decode(_ type: UInt8.Type) throws -> UInt8 { try integer(type) }
    func decode(_ type: UInt16.Type) throws -> UInt16 { try integer(type) }
    func decode(_ type: UInt32.Type) throws -> UInt32 { try integer(type) }
    func decode(_ type: UInt64.Type) throws -> UInt64 { try integer(type) }
    func decode<T: Decodable>(_ type: T.Type) throws -> T { try decoder.decodeValue(type) }
}
