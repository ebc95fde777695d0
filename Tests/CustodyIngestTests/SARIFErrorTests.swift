import CustodyCore
import CustodyIngest
import CustodyTestSupport
import Testing

/// Malformed or foreign input: a clear error naming the file and the place.
struct SARIFErrorTests {
    let directory = TemporaryDirectory()

    func error(_ text: String) throws -> Diagnostic {
        let file = try directory.write("report.sarif", text)
        do {
            _ = try ReadReport(path: file)
        } catch let diagnostic as Diagnostic {
            #expect(diagnostic.file == file)
            return diagnostic
        }
        Issue.record("no error for \(text)")
        return Diagnostic(file: "", message: "")
    }

    @Test func syntaxErrorNamesLineAndColumn() throws {
        let diagnostic = try error("{\n  \"version\": \"2.1.0\",\n  \"runs\": [ }\n")
        #expect(diagnostic.message.hasPrefix("not valid JSON"))
        #expect(diagnostic.place == "line 3, column 13 (byte 36)")  // the "}" where a value should be
    }

    @Test func truncatedFile() throws {
        let diagnostic = try error(#"{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"x"}},"results":[{"rule"#)
        #expect(diagnostic.message.hasPrefix("not valid JSON"))
        #expect(diagnostic.place?.hasPrefix("line 1") == true)
    }

    @Test func notSARIF() throws {
        let diagnostic = try error(#"{"SchemaVersion": 2, "Results": []}"#)
        #expect(diagnostic.place == "$")
        #expect(diagnostic.message.contains("which is none of the formats read"))
    }

    @Test func wrongVersion() throws {
        let diagnostic = try error(#"{"version":"2.0.0","$schema":"sarif","runs":[]}"#)
        #expect(diagnostic.place == "$.version")
        #expect(diagnostic.message.contains("\"2.0.0\""))
    }

    @Test func runsNotAnArray() throws {
        let diagnostic = try error(#"{"version":"2.1.0","runs":{}}"#)
        #expect(diagnostic.place == "$.runs")
        #expect(diagnostic.message == "expected an array, found object")
    }

    @Test func wrongTypedFieldsNameTheirPath() throws {
        let base =
            #"{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"t","rules":[{"id":"R1"}]}},"results":[{"ruleId":"R1","message":{"text":"ok"}},"#
        var diagnostic = try error(base + #"{"ruleId":"R1","level":"fatal"}]}]}"#)
        #expect(diagnostic.place == "$.runs[0].results[1].level")
        #expect(diagnostic.message.contains("unknown level \"fatal\""))

        diagnostic = try error(
            base + #"{"ruleId":"R1","locations":[{"physicalLocation":{"region":{"startLine":"7"}}}]}]}]}"#)
        #expect(diagnostic.place == "$.runs[0].results[1].locations[0].physicalLocation.region.startLine")

        diagnostic = try error(base + #"{"ruleIndex":4}]}]}"#)
        #expect(diagnostic.place == "$.runs[0].results[1].ruleIndex")

        diagnostic = try error(base + #"{"ruleId":7}]}]}"#)
        #expect(diagnostic.place == "$.runs[0].results[1].ruleId")

        diagnostic = try error(base + #"42]}]}"#)
        #expect(diagnostic.place == "$.runs[0].results[1]")

        diagnostic = try error(
            base + #"{"ruleId":"R1","locations":[{"physicalLocation":{"artifactLocation":{"index":3}}}]}]}]}"#)
        #expect(diagnostic.place == "$.runs[0].results[1].locations[0].physicalLocation.artifactLocation.index")
    }

    @Test func sizeAndDepthLimits() throws {
        let file = try directory.write(
            "deep.sarif", String(repeating: "[", count: 300) + String(repeating: "]", count: 300))
        #expect(throws: Diagnostic.self) { try ReportRegistry.open(path: file, limits: InputLimits(maxDepth: 256)) }
        let small = try directory.write("small.sarif", #"{"version":"2.1.0","runs":[]}"#)
        do {
            _ = try ReportRegistry.open(path: small, limits: InputLimits(maxBytes: 10))
            Issue.record("the size limit was not applied")
        } catch let diagnostic as Diagnostic {
            #expect(diagnostic.message.contains("over the limit of 10 bytes"))
        }
    }

    @Test func missingFile() throws {
        #expect(throws: Diagnostic.self) { try ReportRegistry.open(path: directory.file("absent.sarif")) }
    }
}
