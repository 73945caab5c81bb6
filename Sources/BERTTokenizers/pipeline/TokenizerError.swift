import Foundation

/// Every failure of the BERTTokenizers module. Messages name the file, key or value and say how to fix it.
public enum TokenizerError: Error, Equatable, CustomStringConvertible {
    /// A file the tokenizer needs does not exist (for example `vocab.txt` or `tokenizer.json`).
    case missingFile(path: String)
    /// A folder contains neither `tokenizer.json` nor `vocab.txt`.
    case noTokenizerFiles(directory: String)
    /// A file exists but could not be read.
    case unreadableFile(path: String, reason: String)
    /// `tokenizer.json` (or a config file) is not valid JSON, or a key has the wrong shape.
    case malformedJSON(path: String, reason: String)
    /// A required key is absent from `tokenizer.json`.
    case missingKey(path: String, key: String)
    /// A component of `tokenizer.json` (at `key`, e.g. `pre_tokenizer.pretokenizers[1].type`) names a `type`
    /// that is not a known `kind` (normalizer, pre-tokenizer, model, post-processor, decoder); `known` lists them.
    case unknownComponentType(path: String, key: String, type: String, kind: String, known: [String])
    /// A component field holds a value the component cannot use (`key` names it, `reason` says why).
    case invalidComponent(path: String, key: String, reason: String)
    /// A regular expression of `tokenizer.json` (at `key`) does not compile.
    case invalidRegex(path: String, key: String, pattern: String, reason: String)
    /// A BPE merge (at `key`, e.g. `model.merges[3]`) names a token, or yields one, missing from the vocabulary.
    case unknownMergeToken(path: String, key: String, token: String)
    /// The vocabulary lacks a token the configuration needs (for example the unknown token).
    case tokenNotInVocabulary(token: String, role: String)
    /// Bytes handed to the tokenizer are not valid UTF-8; `offset` is the first bad byte.
    case invalidUTF8(offset: Int)
    /// Truncation parameters cannot be honoured, for example `stride >= max_length - special tokens`.
    case invalidTruncation(reason: String)
    /// `only_second` truncation was asked for a single sequence.
    case secondSequenceNotProvided
    /// The sequence chosen for truncation is too short to remove enough tokens (HF `SequenceTooShort`).
    case sequenceTooShort(length: Int, toRemove: Int)
    /// A token id in `tokenizer.json` (`key`, e.g. `model.vocab["hello"]`) that is negative, beyond the
    /// vocabulary, or given to two tokens.
    case invalidTokenId(path: String, key: String, id: Int, reason: String)
    /// A length in `tokenizer.json` (`key`) above what the tokenizer will allocate (`limit`).
    case valueTooLarge(path: String, key: String, value: Int, limit: Int)
    /// Padding would make rows longer than `PaddingParameters.maximumLength`.
    case paddingTooLong(length: Int, limit: Int)
    /// A vocabulary file is empty or has an unusable line.
    case malformedVocabulary(path: String, reason: String)
    /// A Unigram model without `unk_id` met text none of its pieces cover (the crate's `MissingUnkId`).
    case unigramWithoutUnknown
    /// A SentencePiece `precompiled_charsmap` is truncated or inconsistent; `reason` names the offset.
    case corruptPrecompiledCharsmap(reason: String)
    /// A SentencePiece `.model` file is not a valid `ModelProto`; `offset` is the byte where reading failed.
    case corruptSentencePieceModel(path: String, offset: Int, reason: String)

    /// A message naming the file, key or value, and how to fix it.
    public var description: String {
        switch self {
        case .missingFile(let path):
            return "missing tokenizer file \(path); run scripts/fetch-models.sh or point --model at a folder holding it"
        case .noTokenizerFiles(let dir):
            return "\(dir) holds none of tokenizer.json, vocab.txt, vocab.json + merges.txt, spiece.model, sentencepiece.bpe.model; a tokenizer folder needs one of them"
        case .unreadableFile(let path, let reason):
            return "cannot read \(path): \(reason)"
        case .malformedJSON(let path, let reason):
            return "malformed JSON in \(path): \(reason)"
        case .missingKey(let path, let key):
            return "\(path) lacks the key \"\(key)\""
        case .unknownComponentType(let path, let key, let type, let kind, let known):
            return "\(path): \(key) \"\(type)\" is not a known \(kind); known: \(known.joined(separator: ", "))"
        case .invalidComponent(let path, let key, let reason):
            return "\(path): \(key) \(reason)"
        case .invalidRegex(let path, let key, let pattern, let reason):
            return "\(path): \(key) \"\(pattern)\" is not a valid regular expression (\(reason))"
        case .unknownMergeToken(let path, let key, let token):
            return "\(path): \(key) names \"\(token)\", which is not in the vocabulary; merges must join vocabulary tokens into one"
        case .tokenNotInVocabulary(let token, let role):
            return "the \(role) token \"\(token)\" is not in the vocabulary"
        case .invalidUTF8(let offset):
            return "input is not valid UTF-8 (first bad byte at offset \(offset)); decode it with a known encoding first"
        case .invalidTruncation(let reason):
            return "invalid truncation: \(reason)"
        case .secondSequenceNotProvided:
            return "truncation strategy only_second needs a pair of sequences"
        case .sequenceTooShort(let length, let toRemove):
            return "the sequence to truncate has \(length) tokens but \(toRemove) must be removed; use longest_first or a larger max_length"
        case .invalidTokenId(let path, let key, let id, let reason):
            return "\(path): \(key) is \(id), \(reason); token ids must number the vocabulary from 0, one id per token "
                + "(restore tokenizer.json from the model's repository)"
        case .valueTooLarge(let path, let key, let value, let limit):
            return "\(path): \(key) is \(value), above the limit of \(limit) tokens; fix the value in the file"
        case .paddingTooLong(let length, let limit):
            return "padding to \(length) tokens exceeds the limit of \(limit); pad to a shorter fixed length or multiple"
        case .malformedVocabulary(let path, let reason):
            return "malformed vocabulary \(path): \(reason)"
        case .unigramWithoutUnknown:
            return "the Unigram model has no unk_id but the text holds characters none of its pieces cover; "
                + "set model.unk_id in tokenizer.json"
        case .corruptPrecompiledCharsmap(let reason):
            return "corrupt precompiled_charsmap: \(reason); restore the tokenizer file from the model's repository"
        case .corruptSentencePieceModel(let path, let offset, let reason):
            return "\(path) is not a valid SentencePiece model (at byte \(offset): \(reason)); "
                + "restore it from the model's repository"
        }
    }
}
