import BERTTensor
import BERTTraining
import Foundation
import XCTest
@_spi(Fuzzing) import BERTTraining

/// Instance i is the single token i (so a batch's rows name the instances it holds).
private struct NumberedInstances: PretrainingInstanceSource {
    var count: Int
    var maxSeqLength: Int { 1 }
    func instance(at index: Int, epoch: Int) -> PretrainingInstance {
        PretrainingInstance(inputIDs: [index], tokenTypeIDs: [0], attentionMask: [1], labels: [index], nextSentenceLabel: 0)
    }
}

/// Data parallelism without MPI: every rank's share of a global batch, put together in rank order, is exactly the
/// batch one process with the global batch size reads; positions are global; the launch is read from mpirun's
/// variables; and the tape's early gradient hook changes no gradient.
final class DataParallelShardingTests: XCTestCase {
    func testPretrainingSharesMakeUpTheGlobalBatchAcrossEpochsAndResume() throws {
        for (count, perRank, ranks, dropLast) in [(37, 4, 2, true), (37, 3, 3, false), (10, 1, 4, false), (50, 5, 1, true)] {
            let source = NumberedInstances(count: count)
            var whole = try PretrainingBatcher(source: source, batchSize: perRank * ranks, order: .shuffled(seed: 7), dropLast: dropLast)
            var shards = try (0..<ranks).map { r -> PretrainingBatcher<NumberedInstances> in
                var b = try PretrainingBatcher(source: source, batchSize: perRank, order: .shuffled(seed: 7), dropLast: dropLast)
                try b.shard(rank: r, of: ranks)
                return b
            }
            XCTAssertEqual(shards[0].batchesPerEpoch, whole.batchesPerEpoch)
            for step in 0..<(3 * whole.batchesPerEpoch + 1) {
                let expected = try whole.next()
                var rows: [Int] = []
                for r in 0..<ranks {
                    let part = try shards[r].next()
                    XCTAssertEqual(part.position, expected.position, "step \(step): every rank reports the global position")
                    XCTAssertEqual(shards[r].position, whole.position)
                    rows += part.instanceIndices
                }
                XCTAssertEqual(rows, expected.instanceIndices, "count \(count), \(ranks) ranks × \(perRank), step \(step)")
            }
            // A position saved with `ranks` ranks resumes with one process at the same instance.
            var single = try PretrainingBatcher(source: source, batchSize: perRank * ranks, order: .shuffled(seed: 7), dropLast: dropLast,
                                                position: shards[0].position)
            XCTAssertEqual(try single.next().instanceIndices, try whole.next().instanceIndices)
        }
    }

    func testShardingRefusesABadRankOrASourceSmallerThanOneGlobalBatch() throws {
        var b = try PretrainingBatcher(source: NumberedInstances(count: 10), batchSize: 4)
        XCTAssertThrowsError(try b.shard(rank: 2, of: 2))
        XCTAssertThrowsError(try b.shard(rank: 0, of: 3)) { error in
            XCTAssertTrue("\(error)".contains("fewer than one global batch"), "\(error)")
        }
    }

    func testFeatureSharesIncludingAnEmptyShareAtTheEpochEnd() throws {
        let features = Array(0..<9)
        let whole = FeatureBatchSource(features: features, batchSize: 8, seed: 3)
        let shards = try (0..<4).map { r -> FeatureBatchSource<Int> in
            let s = FeatureBatchSource(features: features, batchSize: 2, seed: 3)
            try s.shard(rank: r, of: 4)
            return s
        }
        XCTAssertEqual(shards[0].batchesPerEpoch, whole.batchesPerEpoch)
        for epoch in 0..<2 {
            if epoch > 0 { try whole.startEpoch(epoch); for s in shards { try s.startEpoch(epoch) } }
            while let expected = try whole.nextBatch() {
                let parts = try shards.map { try XCTUnwrap($0.nextBatch()) }
                XCTAssertEqual(parts.flatMap { $0 }, expected)
                XCTAssertEqual(shards[0].position, whole.position)
                if expected.count == 1 {
                    XCTAssertEqual(parts.map(\.count), [0, 0, 0, 1], "the short last batch: 1 row over 4 ranks")
                    XCTAssertTrue(shards[0].isEmptyBatch(parts[0]))
                    XCTAssertFalse(shards[3].isEmptyBatch(parts[3]))
                }
            }
            for s in shards { XCTAssertNil(try s.nextBatch()) }
        }
    }

    func testLaunchIsReadFromMpirunsVariables() {
        XCTAssertNil(MPILaunch.detect(environment: [:]))
        XCTAssertNil(MPILaunch.detect(environment: ["OMPI_COMM_WORLD_SIZE": "2"]), "a size without a rank is not a launch")
        let launch = MPILaunch.detect(environment: ["OMPI_COMM_WORLD_SIZE": "4", "OMPI_COMM_WORLD_RANK": "3", "OMPI_COMM_WORLD_LOCAL_SIZE": "2"])
        XCTAssertEqual(launch, MPILaunch(worldSize: 4, rank: 3, localSize: 2))
        XCTAssertEqual(launch?.threadsPerRank(cores: 8), 4)
        XCTAssertEqual(launch?.threadsPerRank(cores: 1), 1, "never fewer than one thread")
        XCTAssertEqual(MPILaunch.detect(environment: ["PMIX_RANK": "1"]), MPILaunch(worldSize: nil, rank: 1, localSize: 1))
    }

    func testWithoutMpirunThereIsNoGroupAndDescribeSaysSo() throws {
        XCTAssertNil(try DataParallelGroup.joined(environment: [:]))
        XCTAssertTrue(DataParallelGroup.describe(nil).contains("not started by mpirun"))
    }

    func testEarlyGradientHookFiresOncePerLeafAfterItsLastUseAndChangesNoGradient() throws {
        let x = try Tensor(shape: [2, 3], scalars: [0.5, -1, 2, 0.25, 3, -0.75], requiresGrad: true)
        let w = try Tensor(shape: [3, 2], scalars: [1, -2, 0.5, 0.3, -1, 4], requiresGrad: true)
        let unused = try Tensor(shape: [1], scalars: [1], requiresGrad: true)
        func loss() throws -> Tensor {
            let h = try x.matmul(w)                    // w used here, first in the forward order …
            let y = try h.matmul(w.transposed(0, 1))   // … and again here
            return try y.adding(x).sum()               // x used last of all
        }
        let plain = GradientTape()
        try plain.backward(try plain.record { try loss() })
        let (gx, gw) = (x.grad!.scalars, w.grad!.scalars)
        x.zeroGrad(); w.zeroGrad()
        let hooked = GradientTape()
        var order: [String] = []
        try hooked.backward(try hooked.record { try loss() }, seed: nil) { leaf in
            XCTAssertNotNil(leaf.grad, "the gradient is stored before the hook runs")
            order.append(leaf === x ? "x" : leaf === w ? "w" : "?")
        }
        XCTAssertEqual(x.grad!.scalars, gx)
        XCTAssertEqual(w.grad!.scalars, gw)
        XCTAssertEqual(order.sorted(), ["w", "x"], "each used leaf once; \(unused.count)-element unused leaf never")
    }
}
