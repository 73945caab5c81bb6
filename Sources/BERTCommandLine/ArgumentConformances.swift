import ArgumentParser
import BERT

// Library enums with fixed choices, taken as option values by their raw values (listed in --help).
extension AggregationStrategy: ExpressibleByArgument {}
extension ClassificationFunction: ExpressibleByArgument {}
extension SimilarityFunction: ExpressibleByArgument {}
extension EmbeddingPrecision: ExpressibleByArgument {}
extension NextSentenceRule: ExpressibleByArgument {}
extension TokenizerModelKind: ExpressibleByArgument {}
extension InferenceDType: ExpressibleByArgument {}
