// The one read interface the batcher needs, so files and dynamic datasets batch alike.

/// Anything that hands out instances by index: an instance file (the same instance every epoch) or a
/// dynamically masked dataset (fresh masks per epoch). The batcher reads through this.
package protocol PretrainingInstanceSource {
    /// Number of instances per epoch.
    var count: Int { get }
    /// Padded length of every instance.
    var maxSeqLength: Int { get }
    /// Instance `index` (0..<count) as seen in `epoch`.
    func instance(at index: Int, epoch: Int) throws -> PretrainingInstance
}
