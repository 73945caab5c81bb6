import ArgumentParser

/// Fails with a usage error unless `value` is a count from 1 to `max` (a bound that keeps an absurd number from
/// reaching an allocation).
package func validateCount(_ value: Int, _ option: String, max: Int) throws {
    guard (1...max).contains(value) else {
        throw ValidationError("\(option) must be between 1 and \(max), not \(value)")
    }
}
