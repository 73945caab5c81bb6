// BertConfig lives in BERTHub (Foundation only, so tools can read configs without the tensor stack);
// models re-export it so `import BERTModels` is enough to build one.
@_exported import BERTHub
