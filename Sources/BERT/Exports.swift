// The umbrella module: `import BERT` brings in every public layer.
@_exported import BERTKernels
@_exported import BERTTensor
@_exported import BERTNN
@_exported import BERTModels
@_exported import BERTTokenizers
@_exported import SafeTensors
@_exported import BERTHub
@_exported import BERTJSON
@_exported import BERTTasks
@_exported import BERTTraining
