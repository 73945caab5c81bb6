// BERTTraining: trainers, data, metrics. See DESIGN.md.
