import BERTTensor
