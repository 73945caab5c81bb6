import BERTJSON

/// Hugging Face post-processor `Sequence`: each processor's `processEncodings` in turn.
package struct PostProcessorSequence: PostProcessor {
    /// The processors, applied in order.
    package var processors: [any PostProcessor]
    /// Creates the sequence.
    package init(_ processors: [any PostProcessor]) { self.processors = processors }
    /// The sum of the members' added tokens.
    package func addedTokens(isPair: Bool) -> Int { processors.reduce(0) { $0 + $1.addedTokens(isPair: isPair) } }
    /// Chains every member.
    package func processEncodings(_ encodings: [Encoding], addSpecialTokens: Bool) -> [Encoding] {
        processors.reduce(encodings) { $1.processEncodings($0, addSpecialTokens: addSpecialTokens) }
    }
}

extension PostProcessorSequence: JSONLoadable {
    /// Reads `{"type": "Sequence", "processors": [...]}`.
    package init(json: JSONFieldReader, context: ComponentContext) throws {
        self.init(try json.required(json.objects("processors"), "processors").loadEach(PostProcessorType.load, context: context))
    }
}
