import BERTJSON
import Foundation

extension PrecompiledNormalizer: Normalizer, JSONLoadable {
    package func normalize(_ text: inout NormalizedString) {
        guard let changes = transformations(text.scalars[...]) else { return }
        text.transform(changes)
    }

    /// Reads `{"type": "Precompiled", "precompiled_charsmap": "<base64>"}`; a missing, empty or corrupt charsmap
    /// is `corruptPrecompiledCharsmap` (the crate fails to parse it too).
    package init(json: JSONFieldReader, context: ComponentContext) throws {
        let key = json.keyPath("precompiled_charsmap")
        let text = try json.string("precompiled_charsmap") ?? ""
        guard let bytes = Data(base64Encoded: text) else {
            throw TokenizerError.corruptPrecompiledCharsmap(reason: "\(json.file): \(key) is not base64")
        }
        self.init(charsmap: try PrecompiledCharsmap([UInt8](bytes)))
    }
}
