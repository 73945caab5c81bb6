import BERTJSON
import BERTTasks

/// How the pipeline services run one batch of single-input jobs: jobs with equal options go through the pipeline
/// together (one padded forward pass per group), and a group that fails is run again one job at a time, so a bad
/// input (no mask token, too long) fails only its own request, never the others merged into the same batch.
enum BatchGroups {
    /// One answer per job, in order.
    static func run<Job, Key: Hashable>(_ jobs: [Job], key: (Job) -> Key,
                                        _ process: ([Job]) throws -> [JSONValue]) -> [Result<JSONValue, ServerError>] {
        var results = [Result<JSONValue, ServerError>?](repeating: nil, count: jobs.count)
        var groups: [[Int]] = []
        var groupOf: [Key: Int] = [:]
        for (i, job) in jobs.enumerated() {
            let k = key(job)
            if let g = groupOf[k] { groups[g].append(i) } else { groupOf[k] = groups.count; groups.append([i]) }
        }
        for group in groups {
            if let outputs = try? process(group.map { jobs[$0] }), outputs.count == group.count {
                for (i, output) in zip(group, outputs) { results[i] = .success(output) }
                continue
            }
            for i in group {
                do {
                    let outputs = try process([jobs[i]])
                    results[i] = outputs.count == 1 ? .success(outputs[0])
                        : .failure(ServerError(.backend, "the model returned \(outputs.count) answers for one input"))
                } catch {
                    results[i] = .failure(serverError(error))
                }
            }
        }
        return results.map { $0! }
    }

    /// A pipeline's complaint about the input is the client's (422); anything else is the model's (424).
    static func serverError(_ error: any Error) -> ServerError {
        switch error {
        case let error as ServerError: error
        case let error as PipelineError: ServerError(.validation, error.description)
        default: ServerError(.backend, "inference failed: \(error)")
        }
    }

    /// The answers of one request: its outputs, or the first input's error.
    static func unwrap(_ results: [Result<JSONValue, ServerError>]) throws(ServerError) -> [JSONValue] {
        try results.map { result throws(ServerError) in try result.get() }
    }
}
