/// Scores of a SQuAD evaluation, in percent (0–100) as the official scripts print them.
package struct SQuADScores: Equatable, Sendable {
    /// The mean exact match ×100.
    package var exactMatch: Double
    /// The mean token F1 ×100.
    package var f1: Double
    /// Questions scored.
    package var total: Int

    /// Creates a score record.
    package init(exactMatch: Double, f1: Double, total: Int) {
        self.exactMatch = exactMatch
        self.f1 = f1
        self.total = total
    }
}

/// A SQuAD v2.0 evaluation: all questions, and the answerable (`HasAns`) and unanswerable (`NoAns`) subsets
/// (nil when the subset is empty, as the official script omits it).
package struct SQuADV2Scores: Equatable, Sendable {
    /// Every question.
    package var overall: SQuADScores
    /// Questions with at least one gold answer (the script's `bool(qa['answers'])`, before normalisation).
    package var hasAnswer: SQuADScores?
    /// Questions without gold answers: the right prediction is the empty string.
    package var noAnswer: SQuADScores?
}

/// The official SQuAD evaluation logic (`evaluate-v1.1.py` and `evaluate-v2.0.py`), re-implemented.
///
/// Text is compared after `normalizeAnswer`. Python's semantics are kept where they matter: `lower()` is
/// Unicode lowercasing, punctuation is ASCII `string.punctuation`, `\b` word boundaries use Python's Unicode
/// `\w`, and `split()` splits on Python's whitespace set (which includes U+001C–U+001F).
package enum SQuADMetrics {
    /// Lowercases, drops ASCII punctuation, replaces the words a/an/the by spaces, and collapses whitespace.
    package static func normalizeAnswer(_ text: String) -> String {
        let lowered = pythonLowercased(text).unicodeScalars.filter { !isASCIIPunctuation($0) }
        // `re.sub(r'\b(a|an|the)\b', ' ', text)` replaces exactly the maximal \w-runs spelled a, an or the.
        var withoutArticles = String.UnicodeScalarView()
        var run = String.UnicodeScalarView()
        func flush() {
            let word = String(run)
            if word == "a" || word == "an" || word == "the" { withoutArticles.append(" ") } else { withoutArticles.append(contentsOf: run) }
            run.removeAll()
        }
        for scalar in lowered {
            if isWordCharacter(scalar) { run.append(scalar) } else { flush(); withoutArticles.append(scalar) }
        }
        flush()
        return whitespaceTokens(String(withoutArticles)).joined(separator: " ")
    }

    /// 1 when the normalised strings are equal, else 0.
    package static func exactMatch(prediction: String, groundTruth: String) -> Double {
        normalizeAnswer(prediction) == normalizeAnswer(groundTruth) ? 1 : 0
    }

    /// Token F1 of v1.1: bag-of-tokens overlap of the normalised strings; 0 when either is empty.
    package static func f1V1(prediction: String, groundTruth: String) -> Double {
        tokenF1(whitespaceTokens(normalizeAnswer(prediction)), whitespaceTokens(normalizeAnswer(groundTruth)))
    }

    /// Token F1 of v2.0: as v1.1, except that when either side has no tokens it is 1 if both have none, else 0.
    package static func f1V2(prediction: String, groundTruth: String) -> Double {
        let p = whitespaceTokens(normalizeAnswer(prediction)), g = whitespaceTokens(normalizeAnswer(groundTruth))
        if p.isEmpty || g.isEmpty { return p == g ? 1 : 0 }
        return tokenF1(p, g)
    }

    /// `evaluate-v1.1.py`: the best exact match and F1 over each question's gold answers, averaged ×100.
    ///
    /// A question without a prediction scores 0 and still counts, as the official script.
    /// - Parameters:
    ///   - predictions: question id → predicted answer text.
    ///   - goldAnswers: question id → its gold answer texts.
    package static func evaluateV1(predictions: [String: String], goldAnswers: [String: [String]]) -> SQuADScores {
        var exact = 0.0, f1 = 0.0
        for id in goldAnswers.keys.sorted() {
            let golds = goldAnswers[id]!
            guard let prediction = predictions[id] else { continue }
            exact += golds.map { exactMatch(prediction: prediction, groundTruth: $0) }.max() ?? 0
            f1 += golds.map { f1V1(prediction: prediction, groundTruth: $0) }.max() ?? 0
        }
        let total = goldAnswers.count
        return SQuADScores(exactMatch: total == 0 ? 0 : 100 * exact / Double(total), f1: total == 0 ? 0 : 100 * f1 / Double(total), total: total)
    }

    /// `evaluate-v2.0.py`: gold answers that normalise to "" are dropped and a question left with none
    /// expects the empty string; scores are the best over the gold answers. HasAns/NoAns split on whether the
    /// question has any gold answer at all (so a question whose only answer is "the" is HasAns but expects "").
    ///
    /// With `noAnswerProbabilities`, a question whose probability is `> threshold` is taken as predicted
    /// unanswerable (scoring 1 exactly when it has no answer), as the script's `--na-prob-thresh` (default 1.0).
    /// A missing prediction scores 0 (the official script stops with a `KeyError` instead).
    /// - Parameters:
    ///   - predictions: question id → predicted answer text ("" for no answer).
    ///   - goldAnswers: question id → its gold answer texts (empty for unanswerable questions).
    package static func evaluateV2(predictions: [String: String], goldAnswers: [String: [String]],
                                  noAnswerProbabilities: [String: Double]? = nil, threshold: Double = 1.0) -> SQuADV2Scores {
        var hasAnswer: [String: Bool] = [:]
        var exact: [String: Double] = [:], f1: [String: Double] = [:]
        for (id, answers) in goldAnswers {
            var golds = answers.filter { !normalizeAnswer($0).isEmpty }
            hasAnswer[id] = !answers.isEmpty
            if golds.isEmpty { golds = [""] }
            guard let prediction = predictions[id] else { exact[id] = 0; f1[id] = 0; continue }
            exact[id] = golds.map { exactMatch(prediction: prediction, groundTruth: $0) }.max()!
            f1[id] = golds.map { f1V2(prediction: prediction, groundTruth: $0) }.max()!
            if let p = noAnswerProbabilities?[id], p > threshold {
                exact[id] = hasAnswer[id]! ? 0 : 1
                f1[id] = hasAnswer[id]! ? 0 : 1
            }
        }
        func scores(_ ids: [String]) -> SQuADScores? {
            guard !ids.isEmpty else { return nil }
            let n = Double(ids.count)
            return SQuADScores(exactMatch: 100 * ids.reduce(0) { $0 + exact[$1]! } / n, f1: 100 * ids.reduce(0) { $0 + f1[$1]! } / n, total: ids.count)
        }
        let ids = goldAnswers.keys.sorted()
        return SQuADV2Scores(overall: scores(ids) ?? SQuADScores(exactMatch: 0, f1: 0, total: 0),
                             hasAnswer: scores(ids.filter { hasAnswer[$0]! }),
                             noAnswer: scores(ids.filter { !hasAnswer[$0]! }))
    }

    // MARK: Python semantics

    /// `Counter(prediction) & Counter(ground_truth)` overlap turned into F1.
    private static func tokenF1(_ prediction: [String], _ groundTruth: [String]) -> Double {
        var counts: [String: Int] = [:]
        for t in groundTruth { counts[t, default: 0] += 1 }
        var same = 0
        for t in prediction where (counts[t] ?? 0) > 0 {
            counts[t]! -= 1
            same += 1
        }
        guard same > 0 else { return 0 }
        let precision = Double(same) / Double(prediction.count), recall = Double(same) / Double(groundTruth.count)
        return 2 * precision * recall / (precision + recall)
    }

    /// Python's `str.lower()`: full Unicode lowercase mapping plus the Final_Sigma rule (Σ → ς after a cased
    /// letter and not before one, skipping case-ignorable characters), which Swift's `lowercased()` lacks.
    static func pythonLowercased(_ text: String) -> String {
        let scalars = Array(text.unicodeScalars)
        var result = ""
        for (i, scalar) in scalars.enumerated() {
            guard scalar.value == 0x3A3 else { result += scalar.properties.lowercaseMapping; continue }
            var j = i - 1
            while j >= 0 && scalars[j].properties.isCaseIgnorable { j -= 1 }
            var finalSigma = j >= 0 && scalars[j].properties.isCased
            if finalSigma {
                var k = i + 1
                while k < scalars.count && scalars[k].properties.isCaseIgnorable { k += 1 }
                finalSigma = k == scalars.count || !scalars[k].properties.isCased
            }
            result.unicodeScalars.append(finalSigma ? "\u{3C2}" : "\u{3C3}")
        }
        return result
    }

    private static func isASCIIPunctuation(_ s: Unicode.Scalar) -> Bool {
        switch s.value {
        case 0x21...0x2F, 0x3A...0x40, 0x5B...0x60, 0x7B...0x7E: return true
        default: return false
        }
    }

    /// Python's `\w` for `str` patterns: `isalnum()` or `_` (letters Lu/Ll/Lt/Lm/Lo and numbers Nd/Nl/No).
    private static func isWordCharacter(_ s: Unicode.Scalar) -> Bool {
        if s == "_" { return true }
        switch s.properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter,
             .decimalNumber, .letterNumber, .otherNumber: return true
        default: return s.properties.numericType != nil
        }
    }

    /// Python's `str.isspace()`: category Zs or bidirectional class WS, B or S.
    static func isPythonWhitespace(_ s: Unicode.Scalar) -> Bool {
        switch s.value {
        case 0x09...0x0D, 0x1C...0x20, 0x85, 0xA0, 0x1680, 0x2000...0x200A, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000: return true
        default: return false
        }
    }

    /// `str.split()` with no separator.
    static func whitespaceTokens(_ text: String) -> [String] {
        var tokens: [String] = [], current = String.UnicodeScalarView()
        for s in text.unicodeScalars {
            if isPythonWhitespace(s) {
                if !current.isEmpty { tokens.append(String(current)); current.removeAll() }
            } else {
                current.append(s)
            }
        }
        if !current.isEmpty { tokens.append(String(current)) }
        return tokens
    }
}

/// The best no-answer thresholds of `evaluate-v2.0.py` (`find_all_best_thresh`).
package struct SQuADBestThresholds: Equatable, Sendable {
    /// The best exact match ×100 over all no-answer thresholds.
    package var bestExactMatch: Double
    /// The no-answer probability threshold that reaches it.
    package var bestExactMatchThreshold: Double
    /// The best F1 ×100 over all thresholds.
    package var bestF1: Double
    /// The threshold that reaches it.
    package var bestF1Threshold: Double
}

extension SQuADMetrics {
    /// The official script's search for the no-answer threshold that maximises exact match and F1.
    ///
    /// Questions are visited by increasing no-answer probability, each switching from "no answer" to its
    /// prediction: an answerable question gains its raw score; an unanswerable one loses 1 if the prediction is
    /// non-empty. Ties in probability are visited in question-id order (the official script uses the
    /// probability file's order). Questions without a probability are skipped, as the script's
    /// `if qid not in scores`.
    package static func bestThresholds(predictions: [String: String], goldAnswers: [String: [String]],
                                      noAnswerProbabilities: [String: Double]) -> SQuADBestThresholds {
        var hasAnswer: [String: Bool] = [:], exact: [String: Double] = [:], f1: [String: Double] = [:]
        for (id, answers) in goldAnswers {
            var golds = answers.filter { !normalizeAnswer($0).isEmpty }
            hasAnswer[id] = !answers.isEmpty
            if golds.isEmpty { golds = [""] }
            let prediction = predictions[id] ?? ""
            exact[id] = golds.map { exactMatch(prediction: prediction, groundTruth: $0) }.max()!
            f1[id] = golds.map { f1V2(prediction: prediction, groundTruth: $0) }.max()!
        }
        let order = noAnswerProbabilities.keys.filter { goldAnswers[$0] != nil }
            .sorted { (noAnswerProbabilities[$0]!, $0) < (noAnswerProbabilities[$1]!, $1) }
        func best(_ scores: [String: Double]) -> (Double, Double) {
            var current = Double(hasAnswer.values.filter { !$0 }.count), bestScore = current, threshold = 0.0
            for id in order {
                if hasAnswer[id]! {
                    current += scores[id]!
                } else if !(predictions[id] ?? "").isEmpty {
                    current -= 1
                }
                if current > bestScore {
                    bestScore = current
                    threshold = noAnswerProbabilities[id]!
                }
            }
            return (goldAnswers.isEmpty ? 0 : 100 * bestScore / Double(goldAnswers.count), threshold)
        }
        let (bestExact, exactThreshold) = best(exact), (bestF1, f1Threshold) = best(f1)
        return SQuADBestThresholds(bestExactMatch: bestExact, bestExactMatchThreshold: exactThreshold, bestF1: bestF1, bestF1Threshold: f1Threshold)
    }
}
