import BERTKernels
import XCTest

/// `BERT_NUM_THREADS` that is not a thread count is reported, not silently ignored.
final class ThreadsTests: XCTestCase {
    private func requested(_ value: String?) throws -> Int? {
        try Threads.requested(environment: value.map { ["BERT_NUM_THREADS": $0] } ?? [:])
    }

    func testBadThreadCountsAreTypedErrorsNamingTheValue() throws {
        for bad in ["abc", "0", "-2", "1.5", "2x", "\(Threads.maximum + 1)", "99999999999999999999"] {
            XCTAssertThrowsError(try requested(bad), bad) { error in
                XCTAssertEqual(error as? ThreadCountError, ThreadCountError(value: bad))
                XCTAssertTrue("\(error)".hasPrefix("BERT_NUM_THREADS=\(bad) is not a thread count from 1 to"), "\(error)")
            }
        }
        XCTAssertEqual(try requested("3"), 3)
        XCTAssertEqual(try requested(" 2 "), 2)
        XCTAssertNil(try requested(nil))
        XCTAssertNil(try requested(""))
        // This process's own variable is either unset or valid in the test run, so there is nothing to report.
        if ProcessInfo.processInfo.environment["BERT_NUM_THREADS"] == nil { XCTAssertNil(Threads.environmentProblem) }
    }
}
