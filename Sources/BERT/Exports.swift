// The umbrella module: `import BERT` brings in the public layers users program against. The raw-pointer kernels
// (BERTKernels) stay out; only the thread count and the BLAS in use are re-exported from it.
@_exported import enum BERTKernels.Threads
@_exported import struct BERTKernels.ThreadCountError
@_exported import enum BERTKernels.BLAS
@_exported import BERTTensor
@_exported import BERTNN
@_exported import BERTModels
@_exported import BERTTokenizers
@_exported import SafeTensors
@_exported import BERTHub
@_exported import BERTJSON
@_exported import BERTTasks
@_exported import BERTTraining
