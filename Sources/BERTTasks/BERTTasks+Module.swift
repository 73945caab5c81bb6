// BERTTasks: pipelines (fill-mask, classify, NER, QA, embed, rerank). See DESIGN.md.
