import BERTModels
import BERTNN
import BERTTensor
import Foundation

/// Which checkpoint layout the student is written in.
package enum StudentLayout: String, Sendable, CaseIterable {
    /// The teacher's own family member with fewer layers (BERT → BERT, RoBERTa → RoBERTa, DistilBERT → DistilBERT).
    case teacher
    /// DistilBERT's keys and config (`DistilBertForMaskedLM` …), from a BERT or DistilBERT teacher.
    case distilbert
}

/// Building a student from a teacher, as DistilBERT was made (research_projects/distillation/scripts/
/// extract_distilbert.py): the same width, a subset of the teacher's layers copied in order, embeddings and heads
/// copied. The copy walks the module tree (one `EncoderLayer` type for every member), not key names, so a BERT
/// layer lands in a DistilBERT student's `transformer.layer.i` without a rename table.
package enum DistillationStudent {
    /// Every other layer from 0: half the teacher's depth (0, 2, 4 of 6; 0, 2, …, 10 of 12), at least one.
    package static func defaultLayerMap(teacherLayers: Int) -> [Int] {
        Array(stride(from: 0, to: teacherLayers, by: 2)).prefix(max(1, teacherLayers / 2)).map { $0 }
    }

    /// Parses "0,2,4" and checks it against the teacher: non-empty, in range, strictly increasing.
    package static func layerMap(_ text: String, teacherLayers: Int) throws -> [Int] {
        let parts = text.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        var map: [Int] = []
        for p in parts {
            guard let i = Int(p) else {
                throw DistillationError.invalidLayerMap(map: text, teacherLayers: teacherLayers, reason: "\"\(p)\" is not a layer number")
            }
            map.append(i)
        }
        try check(map, teacherLayers: teacherLayers, text: text)
        return map
    }

    /// Throws `invalidLayerMap` unless every entry is a teacher layer and the map is non-empty and increasing.
    package static func check(_ map: [Int], teacherLayers: Int, text: String? = nil) throws {
        let shown = text ?? map.map(String.init).joined(separator: ",")
        guard !map.isEmpty else {
            throw DistillationError.invalidLayerMap(map: shown, teacherLayers: teacherLayers, reason: "no layers")
        }
        if let bad = map.first(where: { !(0..<teacherLayers).contains($0) }) {
            throw DistillationError.invalidLayerMap(map: shown, teacherLayers: teacherLayers, reason: "layer \(bad) is outside the teacher")
        }
        guard zip(map, map.dropFirst()).allSatisfy({ $0 < $1 }) else {
            throw DistillationError.invalidLayerMap(map: shown, teacherLayers: teacherLayers, reason: "layers must be listed once each, in increasing order")
        }
    }

    /// The student's config: the teacher's, with `layerMap.count` layers, in `layout`.
    /// - Throws: `unsupportedModel` for ALBERT teachers (their layers are shared, so there is no layer to pick) and
    ///   for a DistilBERT layout from RoBERTa-style teachers (their positions start after the padding id).
    package static func config(teacher: BertConfig, layerMap: [Int], layout: StudentLayout, teacherDirectory: String) throws -> BertConfig {
        try check(layerMap, teacherLayers: teacher.numHiddenLayers)
        guard teacher.modelType != .albert else {
            throw DistillationError.unsupportedModel(directory: teacherDirectory, reason: "ALBERT shares its layers across depth, so no subset of layers can be copied; distil a BERT, RoBERTa or DistilBERT teacher")
        }
        var student = teacher
        if layout == .distilbert, teacher.modelType != .distilbert {
            guard teacher.modelType == .bert else {
                throw DistillationError.unsupportedModel(directory: teacherDirectory, reason: "a DistilBERT student needs a BERT teacher (\(teacher.modelType.rawValue) counts positions from its padding id); use the teacher layout")
            }
            student = BertConfig(modelType: .distilbert)
            (student.vocabSize, student.hiddenSize, student.numAttentionHeads) = (teacher.vocabSize, teacher.hiddenSize, teacher.numAttentionHeads)
            (student.intermediateSize, student.hiddenAct, student.maxPositionEmbeddings) = (teacher.intermediateSize, teacher.hiddenAct, teacher.maxPositionEmbeddings)
            (student.hiddenDropoutProb, student.attentionProbsDropoutProb) = (teacher.hiddenDropoutProb, teacher.attentionProbsDropoutProb)
            (student.padTokenId, student.initializerRange, student.layerNormEps) = (teacher.padTokenId, teacher.initializerRange, teacher.layerNormEps)
            (student.id2label, student.label2id, student.problemType) = (teacher.id2label, teacher.label2id, teacher.problemType)
        }
        student.numHiddenLayers = layerMap.count
        return student
    }

    /// Copies the teacher encoder's embeddings, the mapped layers and (when both have one) the pooler into `student`.
    ///
    /// A DistilBERT student of a BERT teacher has no token-type table: the teacher's type-0 row is folded into
    /// every position row, so for single-segment input the student's embeddings equal the teacher's exactly
    /// (extract_distilbert.py drops the row, which shifts every embedding by it).
    package static func copyEncoder(from teacher: BertModel, to student: BertModel, layerMap: [Int]) throws {
        let (te, se) = (teacher.embeddings, student.embeddings)
        try copy(te.wordEmbeddings.weight, into: se.wordEmbeddings.weight)
        try copy(te.layerNorm.weight, into: se.layerNorm.weight)
        try copy(te.layerNorm.bias, into: se.layerNorm.bias)
        switch (te.tokenTypeEmbeddings, se.tokenTypeEmbeddings) {
        case let (t?, s?):
            try copy(te.positionEmbeddings.weight, into: se.positionEmbeddings.weight)
            try copy(t.weight, into: s.weight)
        case let (t?, nil):
            let typeZero = try t.weight.select(dim: 0, index: 0).unsqueezed(0)
            try copy(te.positionEmbeddings.weight.adding(typeZero), into: se.positionEmbeddings.weight)
        default:
            try copy(te.positionEmbeddings.weight, into: se.positionEmbeddings.weight)
        }
        for (i, t) in layerMap.enumerated() { try copyModule(teacher.layers[t], into: student.layers[i]) }
        if let tp = teacher.pooler, let sp = student.pooler { try copyModule(tp, into: sp) }
        student.dropInferenceCaches()
    }

    /// Copies every parameter of `source` into `destination`, which must have the same tree of shapes.
    package static func copyModule(_ source: Module, into destination: Module) throws {
        let (from, to) = (source.namedParameters(), destination.namedParameters())
        guard from.count == to.count else {
            throw ModelError.invalidInput("cannot copy a module of \(from.count) parameters into one of \(to.count)")
        }
        for (f, t) in zip(from, to) { try copy(f.tensor, into: t.tensor) }
    }

    /// Overwrites `destination`'s values with `source`'s (same shape).
    package static func copy(_ source: Tensor, into destination: Tensor) throws {
        guard source.shape == destination.shape else {
            throw ModelError.invalidInput("cannot copy a tensor of shape \(source.shape) into one of shape \(destination.shape)")
        }
        source.withUnsafeBufferPointer { src in
            destination.withUnsafeMutableBufferPointer { $0.baseAddress!.update(from: src.baseAddress!, count: src.count) }
        }
    }
}

extension DistillationStudent {
    /// A masked-LM student of `teacher`: encoder and prediction head copied (the decoder stays tied to the
    /// student's word embeddings).
    package static func maskedLM(teacher: BertForMaskedLM, layerMap: [Int], layout: StudentLayout,
                                 teacherDirectory: String) throws -> BertForMaskedLM {
        var config = try self.config(teacher: teacher.bert.config, layerMap: layerMap, layout: layout, teacherDirectory: teacherDirectory)
        config.architectures = [config.family.classPrefix + "ForMaskedLM"]
        let student = try BertForMaskedLM(config: config, randomInit: false)
        try copyEncoder(from: teacher.bert, to: student.bert, layerMap: layerMap)
        try copyModule(teacher.predictions, into: student.predictions)
        return student
    }

    /// A sequence-classification student of `teacher`: encoder and classifier copied; a DistilBERT student of a
    /// BERT teacher starts its `pre_classifier` from the teacher's pooler (same shape; ReLU where the pooler had tanh).
    package static func classifier(teacher: BertForSequenceClassification, layerMap: [Int], layout: StudentLayout,
                                   teacherDirectory: String) throws -> BertForSequenceClassification {
        var config = try self.config(teacher: teacher.bert.config, layerMap: layerMap, layout: layout, teacherDirectory: teacherDirectory)
        config.architectures = [config.family.classPrefix + "ForSequenceClassification"]
        let student = try BertForSequenceClassification(config: config, numLabels: teacher.numLabels, randomInit: false)
        try copyEncoder(from: teacher.bert, to: student.bert, layerMap: layerMap)
        try copyModule(teacher.classifier, into: student.classifier)
        if let s = student.preClassifier {
            if let t = teacher.preClassifier { try copyModule(t, into: s) } else if let p = teacher.bert.pooler { try copyModule(p.dense, into: s) }
        }
        return student
    }

    /// A bare encoder student (for sentence embeddings): embeddings, mapped layers and pooler copied.
    package static func encoder(teacher: BertModel, layerMap: [Int], layout: StudentLayout, teacherDirectory: String) throws -> BertModel {
        var config = try self.config(teacher: teacher.config, layerMap: layerMap, layout: layout, teacherDirectory: teacherDirectory)
        config.architectures = [config.family.classPrefix + "Model"]
        let student = try BertModel(config: config, addPoolingLayer: teacher.pooler != nil, randomInit: false)
        try copyEncoder(from: teacher, to: student, layerMap: layerMap)
        return student
    }
}
