import BERTNN
import BERTTensor

/// How `BertForSequenceClassification` turns logits and labels into a loss (`config.problem_type`).
public enum ProblemType: String, Sendable {
    case regression
    case singleLabelClassification = "single_label_classification"
    case multiLabelClassification = "multi_label_classification"
}

extension Linear {
    /// A task head on `config.hiddenSize` features, initialised as `transformers` initialises heads (or zeros when
    /// the weights are about to be loaded), from its own generator stream so the encoder's draws do not shift.
    static func head(config: BertConfig, outputs: Int, seed: UInt64, randomInit: Bool) -> Linear {
        var g = SeededGenerator(seed: seed &+ 2)
        return Linear(config.hiddenSize, outputs, std: randomInit ? Float(config.initializerRange) : 0, generator: &g)
    }
}

/// Labels for a sequence-classification loss: class ids, or float targets (regression, multi-label).
public enum ClassificationLabels {
    case classes([Int])
    case targets([Float])
}

/// `BertForSequenceClassification`: pooled output → dropout → `classifier` [hidden → numLabels].
/// Also the cross-encoder (one output, used as a relevance score). For the family, by `config.modelType`:
/// `AlbertForSequenceClassification` (the same, pooler `albert.pooler`); `RobertaForSequenceClassification`
/// (first token → dropout → `classifier.dense` → tanh → dropout → `classifier.out_proj`, no pooler);
/// `DistilBertForSequenceClassification` (first token → `pre_classifier` → ReLU → dropout → `classifier`).
public final class BertForSequenceClassification: Module {
    public let bert: BertModel
    package let classifier: Linear
    /// RoBERTa's `classifier.dense` or DistilBERT's `pre_classifier`; nil where the pooler does this job.
    package let preClassifier: Linear?
    public let numLabels: Int
    public let dropout: Float
    public let problemType: ProblemType?

    /// A new model; `numLabels` defaults to the config's label count.
    public init(config: BertConfig, numLabels: Int? = nil, seed: UInt64 = 0, randomInit: Bool = true) throws {
        self.numLabels = numLabels ?? config.numLabels
        let family = config.family
        bert = try BertModel(config: config, addPoolingLayer: family.classifiesFromPooler, seed: seed, randomInit: randomInit)
        classifier = Linear.head(config: config, outputs: self.numLabels, seed: seed, randomInit: randomInit)
        preClassifier = family.classifiesFromPooler ? nil
            : Linear.head(config: config, outputs: config.hiddenSize, seed: seed &+ 1, randomInit: randomInit)
        dropout = Float(config.classifierDropout ?? config.hiddenDropoutProb)
        problemType = config.problemType.flatMap(ProblemType.init(rawValue:))
    }

    package var children: [(key: String, module: Module)] {
        let family = bert.config.family
        guard let pre = preClassifier, let keys = family.preClassifier else { return [(family.baseKey, bert), ("classifier", classifier)] }
        return [(family.baseKey, bert), (keys.dense, pre), (keys.output, classifier)]
    }

    /// Logits [batch, numLabels]. `skippingPadding`: see `BertModel.callAsFunction` (the logits are the same).
    public func callAsFunction(_ input: EncoderInput, context: ForwardContext = .inference, skippingPadding: Bool = false) throws -> Tensor {
        let out = try bert(input, context: context, skippingPadding: skippingPadding)
        guard let pre = preClassifier else { return try classifier(context.dropout(out.poolerOutput!, dropout)) }
        let layout = bert.config.family.preClassifier!
        var x = try out.lastHiddenState.select(dim: 1, index: 0)
        if layout.dropoutFirst { x = try context.dropout(x, dropout) }
        x = try context.dropout(layout.activation(pre(x)), dropout)
        return try classifier(x)
    }

    /// The loss `transformers` computes: MSE for regression, cross-entropy for single-label, BCE-with-logits for
    /// multi-label; the problem type is inferred from `numLabels` and the labels when the config has none.
    package func loss(_ input: EncoderInput, labels: ClassificationLabels, context: ForwardContext = .inference) throws -> (loss: Tensor, logits: Tensor) {
        let logits = try self(input, context: context)
        let kind = problemType ?? {
            if numLabels == 1 { return .regression }
            if case .classes = labels { return .singleLabelClassification }
            return .multiLabelClassification
        }()
        switch (kind, labels) {
        case (.regression, .targets(let t)):
            return (try logits.reshaped([-1]).mseLoss(Tensor(shape: [t.count], scalars: t)), logits)
        case (.regression, .classes(let c)):
            return (try logits.reshaped([-1]).mseLoss(Tensor(shape: [c.count], scalars: c.map(Float.init))), logits)
        case (.singleLabelClassification, .classes(let c)):
            return (try logits.crossEntropy(labels: c), logits)
        case (.multiLabelClassification, .targets(let t)):
            return (try logits.binaryCrossEntropyWithLogits(Tensor(shape: logits.shape, scalars: t)), logits)
        default:
            throw ModelError.invalidInput("labels do not fit problem type \(kind.rawValue)")
        }
    }
}

/// `BertForTokenClassification`: hidden states → dropout → `classifier` [hidden → numLabels]; the same for
/// `RobertaForTokenClassification`, `DistilBertForTokenClassification` and `AlbertForTokenClassification` (under
/// their member's encoder key, by `config.modelType`).
public final class BertForTokenClassification: Module {
    public let bert: BertModel
    package let classifier: Linear
    public let dropout: Float

    /// A new model.
    public init(config: BertConfig, numLabels: Int? = nil, seed: UInt64 = 0, randomInit: Bool = true) throws {
        bert = try BertModel(config: config, addPoolingLayer: false, seed: seed, randomInit: randomInit)
        classifier = Linear.head(config: config, outputs: numLabels ?? config.numLabels, seed: seed, randomInit: randomInit)
        dropout = config.family.tokenClassifierDropout(config)
    }

    package var children: [(key: String, module: Module)] { [(bert.config.family.baseKey, bert), ("classifier", classifier)] }

    /// Logits [batch, sequence, numLabels]. `skippingPadding`: see `BertModel.callAsFunction` (the logits of real
    /// tokens are the same; padded positions get the classifier's bias).
    public func callAsFunction(_ input: EncoderInput, context: ForwardContext = .inference, skippingPadding: Bool = false) throws -> Tensor {
        try classifier(context.dropout(bert(input, context: context, skippingPadding: skippingPadding).lastHiddenState, dropout))
    }

    /// Cross-entropy over tokens whose label is not -100.
    package func loss(_ input: EncoderInput, labels: [Int], context: ForwardContext = .inference) throws -> (loss: Tensor, logits: Tensor) {
        let logits = try self(input, context: context)
        return (try logits.reshaped([-1, logits.shape[2]]).crossEntropy(labels: labels), logits)
    }
}

/// `BertForQuestionAnswering`: hidden states → `qa_outputs` [hidden → 2] → start and end logits; the same for
/// `RobertaForQuestionAnswering`, `AlbertForQuestionAnswering` and `DistilBertForQuestionAnswering` (which adds
/// `qa_dropout` before the head), by `config.modelType`.
public final class BertForQuestionAnswering: Module {
    public let bert: BertModel
    package let qaOutputs: Linear
    /// DistilBERT's `qa_dropout`; 0 for the others.
    let dropout: Float

    /// A new model.
    public init(config: BertConfig, seed: UInt64 = 0, randomInit: Bool = true) throws {
        bert = try BertModel(config: config, addPoolingLayer: false, seed: seed, randomInit: randomInit)
        qaOutputs = Linear.head(config: config, outputs: 2, seed: seed, randomInit: randomInit)
        dropout = config.family.questionAnsweringDropout(config)
    }

    package var children: [(key: String, module: Module)] { [(bert.config.family.baseKey, bert), ("qa_outputs", qaOutputs)] }

    /// Start and end logits, each [batch, sequence]. `skippingPadding`: see `BertModel.callAsFunction` (the logits
    /// of real tokens are the same; padded positions get the head's bias).
    public func callAsFunction(_ input: EncoderInput, context: ForwardContext = .inference, skippingPadding: Bool = false) throws -> (start: Tensor, end: Tensor) {
        let logits = try qaOutputs(context.dropout(bert(input, context: context, skippingPadding: skippingPadding).lastHiddenState, dropout))
        let parts = try logits.split(sizes: [1, 1], dim: -1)
        return (try parts[0].reshaped([input.batch, input.length]), try parts[1].reshaped([input.batch, input.length]))
    }

    /// (CE(start) + CE(end)) / 2 with positions clamped to the sequence, as `transformers` does.
    package func loss(_ input: EncoderInput, startPositions: [Int], endPositions: [Int], context: ForwardContext = .inference) throws -> Tensor {
        let (s, e) = try self(input, context: context)
        let clamp = { (p: Int) in min(max(p, 0), input.length) }
        // Positions clamped to `length` are ignored (ignore_index = length).
        let sl = try s.crossEntropy(labels: startPositions.map(clamp), ignoreIndex: input.length)
        let el = try e.crossEntropy(labels: endPositions.map(clamp), ignoreIndex: input.length)
        return try sl.adding(el).scaled(by: 0.5)
    }
}

/// `BertForNextSentencePrediction`: pooled output → `cls.seq_relationship` [hidden → 2].
public final class BertForNextSentencePrediction: Module {
    public let bert: BertModel
    package let seqRelationship: Linear

    /// A new model.
    public init(config: BertConfig, seed: UInt64 = 0, randomInit: Bool = true) throws {
        guard config.modelType == .bert else {
            throw ModelError.unsupportedConfig(key: "model_type", value: config.modelType.rawValue, supported: ["bert"])
        }
        bert = try BertModel(config: config, addPoolingLayer: true, seed: seed, randomInit: randomInit)
        seqRelationship = Linear.head(config: config, outputs: 2, seed: seed, randomInit: randomInit)
    }

    package var children: [(key: String, module: Module)] { [("bert", bert), ("cls.seq_relationship", seqRelationship)] }

    /// Logits [batch, 2]: index 0 = B follows A.
    public func callAsFunction(_ input: EncoderInput, context: ForwardContext = .inference) throws -> Tensor {
        try seqRelationship(bert(input, context: context).poolerOutput!)
    }
}

/// `BertForMultipleChoice`: each (context, choice) row → pooled → `classifier` [hidden → 1]; logits [batch, choices].
public final class BertForMultipleChoice: Module {
    public let bert: BertModel
    package let classifier: Linear
    public let dropout: Float

    /// A new model.
    public init(config: BertConfig, seed: UInt64 = 0, randomInit: Bool = true) throws {
        guard config.modelType == .bert else {
            throw ModelError.unsupportedConfig(key: "model_type", value: config.modelType.rawValue, supported: ["bert"])
        }
        bert = try BertModel(config: config, addPoolingLayer: true, seed: seed, randomInit: randomInit)
        classifier = Linear.head(config: config, outputs: 1, seed: seed, randomInit: randomInit)
        dropout = Float(config.classifierDropout ?? config.hiddenDropoutProb)
    }

    package var children: [(key: String, module: Module)] { [("bert", bert), ("classifier", classifier)] }

    /// `input` holds batch × choices rows (choices consecutive) → logits [batch, choices].
    public func callAsFunction(_ input: EncoderInput, choices: Int, context: ForwardContext = .inference) throws -> Tensor {
        guard choices > 0, input.batch % choices == 0 else {
            throw ModelError.invalidInput("\(input.batch) rows do not divide into groups of \(choices) choices")
        }
        let pooled = try context.dropout(bert(input, context: context).poolerOutput!, dropout)
        return try classifier(pooled).reshaped([input.batch / choices, choices])
    }
}
