import BERT

/// A result printed as one JSON value, its fields in the order transformers' pipelines return them.
package protocol JSONRepresentable {
    /// The value as JSON.
    var json: JSONValue { get }
}

extension Array: JSONRepresentable where Element: JSONRepresentable {
    package var json: JSONValue { .array(map(\.json)) }
}

extension FillMaskPrediction: JSONRepresentable {
    package var json: JSONValue {
        ["score": .number(score), "token": .integer(Int64(token)), "token_str": .string(tokenStr), "sequence": .string(sequence)]
    }
}

extension LabelScore: JSONRepresentable {
    package var json: JSONValue { ["label": .string(label), "score": .number(score)] }
}

extension TokenEntity: JSONRepresentable {
    package var json: JSONValue {
        var object = JSONObject()
        if let entity { object["entity"] = .string(entity) }
        if let entityGroup { object["entity_group"] = .string(entityGroup) }
        object["score"] = .number(score)
        if let index { object["index"] = .integer(Int64(index)) }
        object["word"] = .string(word)
        object["start"] = .integer(Int64(start))
        object["end"] = .integer(Int64(end))
        return .object(object)
    }
}

extension Answer: JSONRepresentable {
    package var json: JSONValue {
        ["score": .number(score), "start": .integer(Int64(start)), "end": .integer(Int64(end)), "answer": .string(answer)]
    }
}

extension RankedDocument: JSONRepresentable {
    package var json: JSONValue {
        var object: JSONObject = ["index": .integer(Int64(index)), "score": .number(score)]
        if let text { object["text"] = .string(text) }
        return .object(object)
    }
}

extension Encoding {
    /// transformers' `tokenizer(...)` output for one encoding: input_ids, token_type_ids, attention_mask,
    /// special_tokens_mask, offset_mapping, tokens, and (when asked) the overflow windows.
    package func json(overflowing: Bool) -> JSONValue {
        func ints(_ values: [Int]) -> JSONValue { .array(values.map { .integer(Int64($0)) }) }
        var object: JSONObject = [
            "input_ids": ints(ids), "token_type_ids": ints(typeIds), "attention_mask": ints(attentionMask),
            "special_tokens_mask": ints(specialTokensMask),
            "offset_mapping": .array(offsets.map { [.integer(Int64($0.lowerBound)), .integer(Int64($0.upperBound))] }),
            "tokens": .array(tokens.map { .string($0) }),
        ]
        if overflowing { object["overflowing"] = .array(self.overflowing.map { $0.json(overflowing: false) }) }
        return .object(object)
    }
}

/// A vector as a JSON array of numbers.
package func jsonArray(_ values: [Float]) -> JSONValue {
    .array(values.map { .number(Double($0)) })
}
