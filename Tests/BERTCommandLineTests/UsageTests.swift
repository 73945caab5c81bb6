import BERT
import Foundation
import XCTest

/// Issue 20: one front door — exit statuses, choices in --help, models as cache ids everywhere, progress only on a
/// terminal; issue 19: absurd numbers are usage errors before anything is allocated.
final class UsageTests: XCTestCase {
    static let subcommands = ["tokenize", "embed", "similarity", "search", "fill-mask", "classify", "ner", "qa", "rerank",
                              "pretraining-data", "pretrain", "finetune", "evaluate"]

    func testUnknownFlagsAreUsageErrorsOnOneLine() throws {
        for name in Self.subcommands {
            let result = try CLI.run([name, "--no-such-flag"])
            XCTAssertEqual(result.status, 2, "\(name): \(result.stderr)")
            XCTAssertEqual(result.stderr.split(separator: "\n").count, 1, "\(name): \(result.stderr)")
            XCTAssertTrue(result.stderr.hasPrefix("error: "), result.stderr)
        }
        XCTAssertEqual(try CLI.run(["no-such-command"]).status, 2)
        XCTAssertEqual(try CLI.run(["--help"]).status, 0)
    }

    func testHelpListsChoicesAndHidesDeveloperHooks() throws {
        let tokenize = try CLI.run(["tokenize", "--help"]).stdout
        for choice in ["do_not_pad", "longest", "max_length", "longest_first", "only_second", "do_not_truncate"] {
            XCTAssertTrue(tokenize.contains(choice), "tokenize --help lacks \(choice)")
        }
        XCTAssertTrue(try CLI.run(["ner", "--help"]).stdout.contains("average"))
        XCTAssertTrue(try CLI.run(["finetune", "--help"]).stdout.contains("regression"))
        let top = try CLI.run(["--help"]).stdout
        for hook in ["bench", "forward"] { XCTAssertFalse(top.contains("  \(hook) "), "bert --help lists \(hook)") }
        for flag in ["--bench-repeat", "--dump-outputs", "--bench "] {
            for name in Self.subcommands { XCTAssertFalse(try CLI.run([name, "--help"]).stdout.contains(flag), "\(name) has \(flag)") }
        }
        let dev = try CLI.run(["--help"], executable: CLI.bertDev)
        XCTAssertEqual(dev.status, 0)
        for hook in ["bench", "forward", "dump-outputs"] { XCTAssertTrue(dev.stdout.contains(hook), "bert-dev lacks \(hook)") }
    }

    func testAbsurdNumbersAreUsageErrors() throws {
        let minilm = try CLIModels.minilm().path
        let cases: [(String, [String], String)] = [
            ("fill-mask top-k", ["fill-mask", "--model", try CLIModels.task("mlm").path, "--top-k", "99999999999", "a [MASK]"], "--top-k"),
            ("tokenize max-length", ["tokenize", "--model", minilm, "--padding", "max_length", "--max-length", "100000000", "hi"], "--max-length"),
            ("embed batch", ["embed", "--model", minilm, "--batch-size", "0", "hi"], "--batch-size"),
            ("threads", ["embed", "--model", minilm, "--threads", "-3", "hi"], "--threads"),
            ("search top-k", ["search", "--model", minilm, "--corpus", "x", "--top-k", "0", "q"], "--top-k"),
        ]
        for (name, arguments, option) in cases {
            assertFails(try CLI.run(arguments), status: 2, mentions: [option], name)
        }
        assertFails(try CLI.run(["embed", "--model", minilm, "hi"], environment: ["BERT_NUM_THREADS": "abc"]), status: 1,
                    mentions: ["BERT_NUM_THREADS", "abc"], "BERT_NUM_THREADS=abc")
    }

    /// fill-mask with a top-k larger than the vocabulary returns the whole vocabulary ranked, as the library clamps.
    func testTopKLargerThanTheVocabularyIsClamped() throws {
        let result = try CLI.run(["fill-mask", "--model", try CLIModels.task("mlm").path, "--top-k", "2000000000", "a [MASK]"])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertEqual(try result.jsonLines()[0].arrayValue?.count, 30522)
    }

    func testEveryModelCommandTakesACacheId() throws {
        let env = ["HF_HUB_CACHE": try CLIModels.hubCache().path]
        let corpus = try CLIModels.file("corpus.txt", "a cat\na dog\n")
        let data = try CLIModels.file("eval.csv", "text,label\nnice,positive\nbad,negative\n")
        let cases: [[String]] = [
            ["tokenize", "--model", "test/minilm", "hello"],
            ["embed", "--model", "test/minilm", "hello"],
            ["similarity", "--model", "test/minilm", "a", "b"],
            ["search", "--model", "test/minilm", "--corpus", corpus, "cat"],
            ["fill-mask", "--model", "test/mlm", "a [MASK]"],
            ["classify", "--model", "test/classification", "hello"],
            ["ner", "--model", "test/ner", "hello Paris"],
            ["qa", "--model", "test/qa", "--question", "who?", "--context", "Marie did."],
            ["rerank", "--model", "test/classification", "--query", "q", "a", "b"],
            ["evaluate", "--task", "classification", "--model", "test/classification", "--data", data],
        ]
        for arguments in cases {
            let result = try CLI.run(arguments, environment: env)
            XCTAssertEqual(result.status, 0, "\(arguments[0]): \(result.stderr)")
            XCTAssertFalse(result.stdout.isEmpty, arguments[0])
        }
        // The same answer as the folder gives.
        XCTAssertEqual(try CLI.run(["embed", "--model", "test/minilm", "hello"], environment: env).stdout,
                       try CLI.run(["embed", "--model", try CLIModels.minilm().path, "hello"]).stdout)
        let output = CLIModels.root.appendingPathComponent("cache-id.bin").path
        let text = try CLIModels.file("text.txt", "One sentence here. Another one.\n\nA second document. It ends.\n")
        let data2 = try CLI.run(["pretraining-data", "--tokenizer", "test/minilm", "--format", "plain", "--dupe-factor", "1",
                                 "--output", output, text], environment: env)
        XCTAssertEqual(data2.status, 0, data2.stderr)
        assertFails(try CLI.run(["embed", "--model", "test/absent", "hi"], environment: env), status: 1,
                    mentions: ["test/absent"], "absent model id")
    }

    func testProgressShowsOnlyOnATerminal() throws {
        let input = try CLIModels.file("p.txt", (0..<80).map { "text \($0)" }.joined(separator: "\n"))
        let arguments = ["embed", "--model", try CLIModels.minilm().path, "--batch-size", "8", "--input", input]
        let piped = try CLI.run(arguments)
        XCTAssertEqual(piped.status, 0, piped.stderr)
        XCTAssertEqual(piped.stderr, "", "no progress on a pipe")
        // Under a pseudo-terminal (util-linux `script`), stderr is a terminal: count, rate and ETA appear.
        let command = ([CLI.bert.path] + arguments).map { "'\($0)'" }.joined(separator: " ") + " >/dev/null"
        let tty = try CLI.run(["-qec", command, "/dev/null"], executable: URL(fileURLWithPath: "/usr/bin/script"))
        XCTAssertEqual(tty.status, 0, tty.stdout + tty.stderr)
        XCTAssertTrue(tty.stdout.contains("embedded 80/80 texts"), tty.stdout)
        XCTAssertTrue(tty.stdout.contains("/s"), tty.stdout)
        let quiet = try CLI.run(["-qec", command.replacingOccurrences(of: "'embed'", with: "'embed' '--quiet'"), "/dev/null"],
                                executable: URL(fileURLWithPath: "/usr/bin/script"))
        XCTAssertFalse(quiet.stdout.contains("embedded"), quiet.stdout)
        // pretraining-data shows files read and documents turned into instances.
        let text = try CLIModels.file("docs.txt", (0..<20).map { "Document \($0) opens here. It ends there." }.joined(separator: "\n\n"))
        let output = CLIModels.root.appendingPathComponent("progress.bin").path
        let data = ([CLI.bert.path, "pretraining-data", "--tokenizer", try CLIModels.minilm().path, "--format", "plain",
                     "--dupe-factor", "2", "--output", output, text]).map { "'\($0)'" }.joined(separator: " ") + " >/dev/null"
        let shown = try CLI.run(["-qec", data, "/dev/null"], executable: URL(fileURLWithPath: "/usr/bin/script"))
        XCTAssertEqual(shown.status, 0, shown.stdout)
        XCTAssertTrue(shown.stdout.contains("read 1/1 files"), shown.stdout)
        XCTAssertTrue(shown.stdout.contains("instances from 40/40 documents"), shown.stdout)
    }
}
