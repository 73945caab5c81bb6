import Hummingbird

/// The hand-written OpenAPI 3 description of every route, served as is at `/openapi.json` (schemathesis and
/// client generators read it). Request and response shapes are TEI's (router/src/http/types.rs) and OpenAI's.
enum OpenAPIDocument {
    static func response() -> Response {
        Response(status: .ok, headers: [.contentType: "application/json"],
                 body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }

    /// The request and answers of `/v1/embeddings` and its alias `/embeddings` (OpenAI's error shape on both).
    private static let openAIOperation = #"""
          "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/OpenAIRequest"}}}},
          "responses": {"200": {"description": "Embeddings",
                                "content": {"application/json": {"schema": {"$ref": "#/components/schemas/OpenAIResponse"}}}},
                        "default": {"$ref": "#/components/responses/OpenAIError"}
    """#

    static let text = #"""
    {
      "openapi": "3.0.3",
      "info": {"title": "bert serve", "version": "0.1.0",
               "description": "Text Embeddings Inference and OpenAI compatible embedding server (swift-bert)."},
      "components": {
        "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        "schemas": {
          "Input": {"oneOf": [
            {"type": "string"},
            {"type": "array", "minItems": 1, "items": {"type": "integer", "minimum": 0}},
            {"type": "array", "minItems": 1, "items": {"oneOf": [
              {"type": "string"},
              {"type": "array", "minItems": 1, "items": {"type": "integer", "minimum": 0}}]}}]},
          "Texts": {"oneOf": [{"type": "string"}, {"type": "array", "minItems": 1, "items": {"type": "string"}}]},
          "Question": {"type": "object", "required": ["question", "context"], "properties": {
            "question": {"type": "string"}, "context": {"type": "string"}}},
          "EmbedRequest": {"type": "object", "required": ["inputs"], "properties": {
            "inputs": {"$ref": "#/components/schemas/Input"},
            "normalize": {"type": "boolean", "default": true},
            "truncate": {"type": "boolean", "nullable": true, "default": false},
            "truncation_direction": {"type": "string", "enum": ["Left", "Right"], "default": "Right"},
            "prompt_name": {"type": "string", "nullable": true},
            "dimensions": {"type": "integer", "minimum": 1, "nullable": true}}},
          "EmbedResponse": {"type": "array", "items": {"type": "array", "items": {"type": "number"}}},
          "OpenAIRequest": {"type": "object", "required": ["input"], "properties": {
            "input": {"$ref": "#/components/schemas/Input"},
            "model": {"type": "string", "nullable": true},
            "user": {"type": "string", "nullable": true},
            "encoding_format": {"type": "string", "enum": ["float", "base64"], "default": "float"},
            "dimensions": {"type": "integer", "minimum": 1, "nullable": true}}},
          "OpenAIResponse": {"type": "object", "required": ["object", "data", "model", "usage"], "properties": {
            "object": {"type": "string", "enum": ["list"]},
            "data": {"type": "array", "items": {"type": "object", "required": ["object", "embedding", "index"], "properties": {
              "object": {"type": "string", "enum": ["embedding"]},
              "embedding": {"oneOf": [{"type": "array", "items": {"type": "number"}},
                                      {"type": "string", "description": "base64 of little-endian float32"}]},
              "index": {"type": "integer"}}}},
            "model": {"type": "string"},
            "usage": {"type": "object", "properties": {"prompt_tokens": {"type": "integer"}, "total_tokens": {"type": "integer"}}}}},
          "ErrorResponse": {"type": "object", "required": ["error", "error_type"], "properties": {
            "error": {"type": "string"},
            "error_type": {"type": "string", "enum": ["validation", "tokenizer", "empty", "backend", "overloaded", "unhealthy",
                                                      "payload_too_large", "unauthorized", "not_found"]}}},
          "OpenAIErrorResponse": {"type": "object", "required": ["error"], "properties": {
            "error": {"type": "object", "properties": {
              "message": {"type": "string"}, "type": {"type": "string"}, "code": {"type": "integer"}}}}},
          "Info": {"type": "object", "properties": {
            "model_id": {"type": "string"}, "model_sha": {"type": "string", "nullable": true}, "model_dtype": {"type": "string"},
            "served_model_name": {"type": "string"},
            "model_type": {"type": "object"}, "max_concurrent_requests": {"type": "integer"},
            "max_input_length": {"type": "integer"}, "max_batch_tokens": {"type": "integer"},
            "max_batch_requests": {"type": "integer", "nullable": true}, "max_client_batch_size": {"type": "integer"},
            "auto_truncate": {"type": "boolean"}, "tokenization_workers": {"type": "integer"},
            "version": {"type": "string"}, "sha": {"type": "string", "nullable": true},
            "docker_label": {"type": "string", "nullable": true}}}
        },
        "responses": {
          "Error": {"description": "TEI error: 400 empty, 401 unauthorized, 404 not found, 413 body too large, 422 validation or tokenizer, 424 backend, 429 overloaded", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorResponse"}}}},
          "OpenAIError": {"description": "OpenAI-shaped error, same statuses as Error", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/OpenAIErrorResponse"}}}}
        }
      },
      "security": [{"bearer": []}],
      "paths": {
        "/embed": {"post": {"summary": "Sentence embeddings (TEI)", "operationId": "embed",
          "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/EmbedRequest"}}}},
          "responses": {"200": {"description": "One vector per input",
                                "content": {"application/json": {"schema": {"$ref": "#/components/schemas/EmbedResponse"}}}},
                        "default": {"$ref": "#/components/responses/Error"}}}},
        "/embed_all": {"post": {"summary": "Every token's vector of each input (TEI)", "operationId": "embed_all",
          "requestBody": {"required": true, "content": {"application/json": {"schema": {"type": "object", "required": ["inputs"], "properties": {
            "inputs": {"$ref": "#/components/schemas/Input"},
            "truncate": {"type": "boolean", "nullable": true, "default": false},
            "truncation_direction": {"type": "string", "enum": ["Left", "Right"], "default": "Right"},
            "prompt_name": {"type": "string", "nullable": true}}}}}},
          "responses": {"200": {"description": "[input][token][hidden]", "content": {"application/json": {"schema": {
                          "type": "array", "items": {"type": "array", "items": {"type": "array", "items": {"type": "number"}}}}}}},
                        "default": {"$ref": "#/components/responses/Error"}}}},
        "/embed_sparse": {"post": {"summary": "Non-zero vocabulary weights of each input (TEI; SPLADE SparseEncoder folders)", "operationId": "embed_sparse",
          "requestBody": {"required": true, "content": {"application/json": {"schema": {"type": "object", "required": ["inputs"], "properties": {
            "inputs": {"$ref": "#/components/schemas/Input"},
            "truncate": {"type": "boolean", "nullable": true, "default": false},
            "truncation_direction": {"type": "string", "enum": ["Left", "Right"], "default": "Right"},
            "prompt_name": {"type": "string", "nullable": true}}}}}},
          "responses": {"200": {"description": "[input][{index, value}], ascending index", "content": {"application/json": {"schema": {
                          "type": "array", "items": {"type": "array", "items": {"type": "object", "properties": {
                            "index": {"type": "integer"}, "value": {"type": "number"}}}}}}}},
                        "default": {"$ref": "#/components/responses/Error"}}}},
        "/similarity": {"post": {"summary": "Cosine similarity of a source sentence to each of sentences (TEI)", "operationId": "similarity",
          "requestBody": {"required": true, "content": {"application/json": {"schema": {"type": "object", "required": ["inputs"], "properties": {
            "inputs": {"type": "object", "required": ["source_sentence", "sentences"], "properties": {
              "source_sentence": {"type": "string"}, "sentences": {"type": "array", "items": {"type": "string"}, "minItems": 1}}},
            "parameters": {"type": "object", "nullable": true, "properties": {
              "truncate": {"type": "boolean", "nullable": true, "default": false},
              "truncation_direction": {"type": "string", "enum": ["Left", "Right"], "default": "Right"},
              "prompt_name": {"type": "string", "nullable": true}}}}}}}},
          "responses": {"200": {"description": "One cosine per sentence, in order", "content": {"application/json": {"schema": {
                          "type": "array", "items": {"type": "number"}}}}},
                        "default": {"$ref": "#/components/responses/Error"}}}},
        "/fill-mask": {"post": {"summary": "Candidates for each [MASK] (transformers' fill-mask pipeline; masked-LM folders)", "operationId": "fill_mask",
          "requestBody": {"required": true, "content": {"application/json": {"schema": {"type": "object", "required": ["inputs"], "properties": {
            "inputs": {"$ref": "#/components/schemas/Texts"},
            "top_k": {"type": "integer", "minimum": 1, "default": 5},
            "targets": {"oneOf": [{"type": "string"}, {"type": "array", "minItems": 1, "items": {"type": "string"}}]},
            "truncation": {"type": "boolean", "default": false},
            "parameters": {"type": "object"}}}}}},
          "responses": {"200": {"description": "Per text, [{score, token, token_str, sequence}] (a list per mask when several)",
                                "content": {"application/json": {"schema": {"type": "array"}}}},
                        "default": {"$ref": "#/components/responses/Error"}}}},
        "/ner": {"post": {"summary": "Entities (transformers' token-classification pipeline; token-classification folders)", "operationId": "ner",
          "requestBody": {"required": true, "content": {"application/json": {"schema": {"type": "object", "required": ["inputs"], "properties": {
            "inputs": {"$ref": "#/components/schemas/Texts"},
            "aggregation_strategy": {"type": "string", "enum": ["none", "simple", "first", "average", "max"], "default": "none"},
            "ignore_labels": {"type": "array", "items": {"type": "string"}, "default": ["O"]},
            "stride": {"type": "integer", "minimum": 1, "nullable": true},
            "parameters": {"type": "object"}}}}}},
          "responses": {"200": {"description": "Per text, [{entity | entity_group, score, index?, word, start, end}]",
                                "content": {"application/json": {"schema": {"type": "array"}}}},
                        "default": {"$ref": "#/components/responses/Error"}}}},
        "/qa": {"post": {"summary": "Answer spans (transformers' question-answering pipeline; QA folders)", "operationId": "qa",
          "requestBody": {"required": true, "content": {"application/json": {"schema": {"type": "object", "properties": {
            "question": {"type": "string"}, "context": {"type": "string"},
            "inputs": {"oneOf": [{"$ref": "#/components/schemas/Question"},
                                 {"type": "array", "minItems": 1, "items": {"$ref": "#/components/schemas/Question"}}]},
            "top_k": {"type": "integer", "minimum": 1, "default": 1},
            "doc_stride": {"type": "integer", "minimum": 1, "nullable": true},
            "max_answer_len": {"type": "integer", "minimum": 1, "default": 15},
            "max_seq_len": {"type": "integer", "minimum": 1, "nullable": true},
            "max_question_len": {"type": "integer", "minimum": 1, "default": 64},
            "handle_impossible_answer": {"type": "boolean", "default": false},
            "align_to_words": {"type": "boolean", "default": true},
            "parameters": {"type": "object"}}}}}},
          "responses": {"200": {"description": "{score, start, end, answer} per question (a list when top_k > 1)",
                                "content": {"application/json": {"schema": {}}}},
                        "default": {"$ref": "#/components/responses/Error"}}}},
        "/search": {"post": {"summary": "Nearest documents of the index given to `bert serve --index` (as `bert search --index`)", "operationId": "search",
          "requestBody": {"required": true, "content": {"application/json": {"schema": {"type": "object", "required": ["query"], "properties": {
            "query": {"$ref": "#/components/schemas/Texts"},
            "top_k": {"type": "integer", "minimum": 1, "maximum": 10000, "default": 10},
            "filter": {"type": "object", "additionalProperties": {"type": "string"}}}}}}},
          "responses": {"200": {"description": "Per query, hits best first (a list of lists for a list of queries)",
                                "content": {"application/json": {"schema": {"type": "array", "items": {}}}}},
                        "default": {"$ref": "#/components/responses/Error"}}}},
        "/index": {
          "post": {"summary": "Embed and store documents whose ids are new (as `bert index add`)", "operationId": "index_add",
            "requestBody": {"required": true, "content": {"application/json": {"schema": {"type": "object", "required": ["documents"], "properties": {
              "documents": {"type": "array", "minItems": 1, "items": {"type": "object", "required": ["id", "text"], "properties": {
                "id": {"type": "string"}, "text": {"type": "string"}, "metadata": {"type": "object"}}}}}}}}},
            "responses": {"200": {"description": "Counts", "content": {"application/json": {"schema": {"type": "object", "properties": {
                            "added": {"type": "integer"}, "skipped": {"type": "integer"}, "documents": {"type": "integer"}}}}}},
                          "default": {"$ref": "#/components/responses/Error"}}},
          "delete": {"summary": "Remove documents by id (as `bert index remove`)", "operationId": "index_remove",
            "requestBody": {"required": true, "content": {"application/json": {"schema": {"type": "object", "required": ["ids"], "properties": {
              "ids": {"type": "array", "minItems": 1, "items": {"type": "string"}}}}}}},
            "responses": {"200": {"description": "Counts", "content": {"application/json": {"schema": {"type": "object", "properties": {
                            "removed": {"type": "integer"}, "documents": {"type": "integer"}}}}}},
                          "default": {"$ref": "#/components/responses/Error"}}},
          "get": {"summary": "The index's model, dimension and size (as `bert index info`)", "operationId": "index_info",
            "responses": {"200": {"description": "Index settings", "content": {"application/json": {"schema": {"type": "object"}}}},
                          "default": {"$ref": "#/components/responses/Error"}}}},
        "/v1/embeddings": {"post": {"summary": "Embeddings (OpenAI)", "operationId": "openai_embed", \#(openAIOperation)}}},
        "/embeddings": {"post": {"summary": "Embeddings (OpenAI, TEI's alias)", "operationId": "openai_embed_alias", \#(openAIOperation)}}},
        "/tokenize": {"post": {"summary": "Tokens with UTF-8 byte offsets (TEI)", "operationId": "tokenize",
          "requestBody": {"required": true, "content": {"application/json": {"schema": {"type": "object", "required": ["inputs"], "properties": {
            "inputs": {"oneOf": [{"type": "string"}, {"type": "array", "minItems": 1, "items": {"type": "string"}}]},
            "add_special_tokens": {"type": "boolean", "default": true},
            "prompt_name": {"type": "string", "nullable": true}}}}}},
          "responses": {"200": {"description": "One token list per input", "content": {"application/json": {"schema": {
                          "type": "array", "items": {"type": "array", "items": {"type": "object", "properties": {
                            "id": {"type": "integer"}, "text": {"type": "string"}, "special": {"type": "boolean"},
                            "start": {"type": "integer", "nullable": true}, "stop": {"type": "integer", "nullable": true}}}}}}}},
                        "default": {"$ref": "#/components/responses/Error"}}}},
        "/decode": {"post": {"summary": "Texts of token ids (TEI)", "operationId": "decode",
          "requestBody": {"required": true, "content": {"application/json": {"schema": {"type": "object", "required": ["ids"], "properties": {
            "ids": {"oneOf": [{"type": "array", "minItems": 1, "items": {"type": "integer", "minimum": 0}},
                              {"type": "array", "minItems": 1, "items": {"type": "array", "minItems": 1, "items": {"type": "integer", "minimum": 0}}}]},
            "skip_special_tokens": {"type": "boolean", "default": true}}}}}},
          "responses": {"200": {"description": "One text per id list", "content": {"application/json": {"schema": {
                          "type": "array", "items": {"type": "string"}}}}},
                        "default": {"$ref": "#/components/responses/Error"}}}},
        "/predict": {"post": {"summary": "Label scores of texts or pairs (TEI; classifier folders)", "operationId": "predict",
          "requestBody": {"required": true, "content": {"application/json": {"schema": {"type": "object", "required": ["inputs"], "properties": {
            "inputs": {"oneOf": [{"type": "string"}, {"type": "array", "minItems": 1, "items": {"oneOf": [
              {"type": "string"}, {"type": "array", "minItems": 1, "maxItems": 2, "items": {"type": "string"}}]}}]},
            "raw_scores": {"type": "boolean", "default": false},
            "truncate": {"type": "boolean", "nullable": true, "default": false}}}}}},
          "responses": {"200": {"description": "Scores, highest first (a list of lists for a batch)",
                                "content": {"application/json": {"schema": {"type": "array"}}}},
                        "default": {"$ref": "#/components/responses/Error"}}}},
        "/rerank": {"post": {"summary": "Texts ranked against a query (TEI; cross-encoder folders)", "operationId": "rerank",
          "requestBody": {"required": true, "content": {"application/json": {"schema": {"type": "object", "required": ["query", "texts"], "properties": {
            "query": {"type": "string"}, "texts": {"type": "array", "minItems": 1, "items": {"type": "string"}},
            "raw_scores": {"type": "boolean", "default": false}, "return_text": {"type": "boolean", "default": false},
            "truncate": {"type": "boolean", "nullable": true, "default": false}}}}}},
          "responses": {"200": {"description": "Ranks, best first", "content": {"application/json": {"schema": {
                          "type": "array", "items": {"type": "object", "properties": {
                            "index": {"type": "integer"}, "score": {"type": "number"}, "text": {"type": "string"}}}}}}},
                        "default": {"$ref": "#/components/responses/Error"}}}},
        "/v1/models": {"get": {"summary": "The model served (OpenAI)", "operationId": "openai_models",
          "responses": {"200": {"description": "Models", "content": {"application/json": {"schema": {"type": "object"}}}},
                        "default": {"$ref": "#/components/responses/OpenAIError"}}}},
        "/info": {"get": {"summary": "Model and router settings (TEI)", "operationId": "get_model_info",
          "responses": {"200": {"description": "Info", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Info"}}}},
                        "default": {"$ref": "#/components/responses/Error"}}}},
        "/health": {"get": {"summary": "Liveness (no key needed)", "operationId": "health", "security": [],
          "responses": {"200": {"description": "Healthy"}}}},
        "/": {"get": {"summary": "Liveness, TEI's alias of /health (no key needed)", "operationId": "health_root", "security": [],
          "responses": {"200": {"description": "Healthy"}}}},
        "/ping": {"get": {"summary": "Liveness, TEI's SageMaker alias of /health (no key needed)", "operationId": "ping", "security": [],
          "responses": {"200": {"description": "Healthy"}}}},
        "/metrics": {"get": {"summary": "Prometheus metrics (no key needed)", "operationId": "metrics", "security": [],
          "responses": {"200": {"description": "Text exposition format", "content": {"text/plain": {"schema": {"type": "string"}}}}}}},
        "/openapi.json": {"get": {"summary": "This document", "operationId": "openapi",
          "responses": {"200": {"description": "OpenAPI 3", "content": {"application/json": {"schema": {"type": "object"}}}}}}},
        "/api-doc/openapi.json": {"get": {"summary": "This document, at TEI's path", "operationId": "openapi_tei",
          "responses": {"200": {"description": "OpenAPI 3", "content": {"application/json": {"schema": {"type": "object"}}}}}}}
      }
    }
    """#
}
