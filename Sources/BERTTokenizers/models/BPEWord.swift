/// A word being merged (HF `Word`): symbols in a doubly linked list over arrays, and a min-heap of candidate
/// merges ordered by (rank, position), as the crate's `BinaryHeap<Merge>` orders them.
struct BPEWord {
    private var ids: [Int32] = []
    private var starts: [Int32] = []
    private var ends: [Int32] = []
    private var prev: [Int32] = []
    private var next: [Int32] = []
    private var alive: [Bool] = []
    private var heap: [Candidate] = []

    /// A queued merge of the symbol at `position` with the one after it.
    private struct Candidate {
        var rank: Int32
        var position: Int32
        var newId: Int32

        @inline(__always)
        func precedes(_ other: Candidate) -> Bool {
            rank != other.rank ? rank < other.rank : position < other.position
        }
    }

    mutating func reserve(_ n: Int) {
        ids.reserveCapacity(n); starts.reserveCapacity(n); ends.reserveCapacity(n)
        prev.reserveCapacity(n); next.reserveCapacity(n); alive.reserveCapacity(n)
    }

    /// Appends a symbol covering word positions `start..<end`.
    mutating func append(_ id: Int32, _ start: Int32, _ end: Int32) {
        let n = Int32(ids.count)
        ids.append(id); starts.append(start); ends.append(end)
        prev.append(n - 1); next.append(n + 1); alive.append(true)
    }

    /// HF `Word::merge_all` without dropout.
    mutating func mergeAll(_ merges: [UInt64: BPEMerge]) {
        let n = ids.count
        guard n > 1 else { return }
        next[n - 1] = -1
        heap.removeAll(keepingCapacity: true)
        for i in 0..<(n - 1) {
            if let m = merges[Self.key(ids[i], ids[i + 1])] {
                push(Candidate(rank: m.rank, position: Int32(i), newId: m.newId))
            }
        }
        while let top = pop() {
            let pos = Int(top.position)
            guard alive[pos], next[pos] >= 0 else { continue }
            let right = Int(next[pos])
            // Skip entries that went stale: the pair now there must still merge into the same token.
            guard let m = merges[Self.key(ids[pos], ids[right])], m.newId == top.newId else { continue }
            ids[pos] = top.newId
            ends[pos] = ends[right]
            alive[right] = false
            next[pos] = next[right]
            if next[right] >= 0 { prev[Int(next[right])] = Int32(pos) }
            if prev[pos] >= 0 {
                let p = Int(prev[pos])
                if let m = merges[Self.key(ids[p], ids[pos])] { push(Candidate(rank: m.rank, position: Int32(p), newId: m.newId)) }
            }
            if next[pos] >= 0 {
                let q = Int(next[pos])
                if let m = merges[Self.key(ids[pos], ids[q])] { push(Candidate(rank: m.rank, position: Int32(pos), newId: m.newId)) }
            }
        }
    }

    /// The symbols left after merging, in order.
    func liveSymbols() -> [BPESymbol] {
        var out: [BPESymbol] = []
        out.reserveCapacity(ids.count)
        for i in ids.indices where alive[i] { out.append(BPESymbol(id: ids[i], start: starts[i], end: ends[i])) }
        return out
    }

    @inline(__always)
    static func key(_ a: Int32, _ b: Int32) -> UInt64 { UInt64(UInt32(bitPattern: a)) << 32 | UInt64(UInt32(bitPattern: b)) }

    private mutating func push(_ c: Candidate) {
        heap.append(c)
        var i = heap.count - 1
        while i > 0 {
            let parent = (i - 1) / 2
            guard heap[i].precedes(heap[parent]) else { break }
            heap.swapAt(i, parent)
            i = parent
        }
    }

    private mutating func pop() -> Candidate? {
        guard let first = heap.first else { return nil }
        let last = heap.removeLast()
        if heap.isEmpty { return first }
        heap[0] = last
        var i = 0
        while true {
            let l = 2 * i + 1, r = l + 1
            var best = i
            if l < heap.count && heap[l].precedes(heap[best]) { best = l }
            if r < heap.count && heap[r].precedes(heap[best]) { best = r }
            if best == i { break }
            heap.swapAt(i, best)
            i = best
        }
        return first
    }
}
