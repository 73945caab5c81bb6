import BERTModels
import BERTTokenizers
import Foundation
import SafeTensors

/// Checks made before any training step, so a bad teacher, student or option fails at once with a clear error.
package enum DistillationChecks {
    /// Throws `notFloat32` naming the first tensor of `directory`'s weights that is not F32 (quantised int8,
    /// fp16 or bf16 checkpoints): training and the teacher's soft targets are computed in fp32. 64- and 32-bit
    /// integer tensors are index buffers (`embeddings.position_ids`, saved as I64 by transformers), not weights.
    package static func requireFloat32(_ directory: URL) throws {
        let weights = try Pretrained.weights(in: directory)
        for name in weights.tensorNames.sorted() {
            let dtype = try weights.info(name).dtype
            if dtype != .float32, dtype != .int64, dtype != .int32 {
                throw DistillationError.notFloat32(directory: directory.path, tensor: name, dtype: dtype.rawValue)
            }
        }
    }

    /// Throws `vocabularyMismatch` unless both configs and both tokenizers agree on the vocabulary: the same size
    /// and the same ids for the special tokens and a sample of ordinary ones.
    package static func requireSameVocabulary(teacher: BertConfig, teacherTokenizer: Tokenizer, teacherName: String,
                                              student: BertConfig, studentTokenizer: Tokenizer?, studentName: String) throws {
        guard teacher.vocabSize == student.vocabSize else {
            throw DistillationError.vocabularyMismatch(teacher: teacherName, student: studentName,
                                                       detail: "vocab_size \(teacher.vocabSize) vs \(student.vocabSize)")
        }
        guard let studentTokenizer else { return }
        let probe = "[CLS] [SEP] [PAD] [MASK] [UNK] <s> </s> <pad> <mask> the of and a to in is was distillation 1984 café"
        let (a, b) = (try teacherTokenizer.encode(probe).ids, try studentTokenizer.encode(probe).ids)
        guard a == b else {
            throw DistillationError.vocabularyMismatch(teacher: teacherName, student: studentName,
                                                       detail: "the same text tokenises to \(a.prefix(8)) vs \(b.prefix(8))")
        }
    }

    /// Throws `widthMismatch` when the student's output width differs from the teacher's and nothing projects it.
    package static func requireSameWidth(_ what: String, student: Int, teacher: Int, projection: Bool) throws {
        guard student != teacher, !projection else { return }
        throw DistillationError.widthMismatch(what: what, student: student, teacher: teacher,
                                              fix: "add --projection (a trained Dense layer from the student's width to the teacher's) or pick a student of the teacher's width")
    }
}
