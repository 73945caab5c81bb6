import ArgumentParser
import BERT
import BERTCommandLine
import Foundation

/// `bert qa`: transformers 4.x question-answering pipeline.
struct QACommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "qa",
        abstract: "Answer questions from a context with a BertForQuestionAnswering checkpoint; one JSON line per question.",
        discussion: """
            A line is {score, start, end, answer} (start/end: character offsets into the context), or a list of \
            them when more than one answer is returned (--top-k).
              bert qa --model DIR --question "Who discovered radium?" --context "Marie Curie discovered radium in 1898."
              bert qa --model DIR --top-k 3 --handle-impossible-answer --input questions.jsonl
                                                         (lines of {"question": ..., "context": ...})
            """)

    @OptionGroup var options: PipelineOptions
    @Option(help: "The question.") var question: String?
    @Option(help: "The context.") var context: String?
    @Option(help: "Answers per question.") var topK: Int = 1
    @Option(help: "Tokens shared by windows of a long context (default min(max-seq-len/2, 128)).") var docStride: Int?
    @Option(help: "Window length in tokens (default min(model_max_length, 384)).") var maxSeqLen: Int?
    @Option(help: "Accepted for compatibility; unused (as in transformers with a fast tokenizer).") var maxQuestionLen: Int = 64
    @Option(help: "Longest answer in tokens.") var maxAnswerLen: Int = 15
    @Flag(help: "Also consider the empty answer.") var handleImpossibleAnswer = false

    func validate() throws {
        try validateCount(topK, "--top-k", max: 1 << 20)
        try validateCount(maxAnswerLen, "--max-answer-len", max: 1 << 20)
        if let maxSeqLen { try validateCount(maxSeqLen, "--max-seq-len", max: 1 << 20) }
        if let docStride { try validateCount(docStride, "--doc-stride", max: 1 << 20) }
    }

    func run() throws {
        let records = try options.records()
        let inputs: [QuestionAnsweringInput]
        if records.isEmpty {
            guard let question, let context else { throw ValidationError("give --question and --context, or --input FILE") }
            inputs = [.init(question: question, context: context)]
        } else {
            inputs = try records.map { .init(question: try $0.string("question"), context: try $0.string("context")) }
        }
        var o = QuestionAnsweringOptions()
        o.topK = topK; o.docStride = docStride; o.maxSeqLen = maxSeqLen; o.maxQuestionLen = maxQuestionLen
        o.maxAnswerLen = maxAnswerLen; o.handleImpossibleAnswer = handleImpossibleAnswer
        let pipe = try options.inferenceOptions.loading { try QuestionAnsweringPipeline(directory: options.directory()) }
        try options.inferenceOptions.apply(to: pipe.model)
        try options.streamResults(inputs) { chunk in
            try pipe(chunk, options: o, batchSize: options.batchSize).map { $0.count == 1 ? $0[0].json : $0.json }
        }
    }
}
