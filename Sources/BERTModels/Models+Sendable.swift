import BERTNN

// Loaded models are shared across threads and tasks (a server's handlers, a TaskGroup over a corpus): `Sendable`.
//
// What makes that true rather than hopeful:
// - inference only reads a model: each call allocates its own activations and attention scratch, the gradient tape
//   is per thread (`GradientTape.record` on one thread records nothing from another), and `ForwardContext`, the
//   one mutable thing a call takes, is made per call (`.inference`) and is not `Sendable` itself;
// - the copies inference prepares (`prepareForInference`: packed fp32, int8, bf16) sit behind each encoder layer's
//   lock and are replaced whole, so a preparation may overlap running calls (each layer of such a call runs in the
//   old or the new precision, never a torn mix within one product);
// - what does change a model's weights — loading a checkpoint into it and training — is package API, used only on
//   models that nothing else holds yet (a loader's fresh model, a trainer's own).
// `BERTModelsTests.ConcurrentInferenceTests` runs one model from many tasks at once, with preparations in between.

extension BertModel: @unchecked Sendable {}
extension BertForMaskedLM: @unchecked Sendable {}
extension BertForPreTraining: @unchecked Sendable {}
extension BertForSequenceClassification: @unchecked Sendable {}
extension BertForTokenClassification: @unchecked Sendable {}
extension BertForQuestionAnswering: @unchecked Sendable {}
extension BertForNextSentencePrediction: @unchecked Sendable {}
extension BertForMultipleChoice: @unchecked Sendable {}
