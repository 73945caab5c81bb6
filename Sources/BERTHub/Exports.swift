// `BertConfig.extraFields`, `BertConfig(json:)` and `jsonValue` speak `JSONValue`, so importing BERTHub brings it.
@_exported import BERTJSON
