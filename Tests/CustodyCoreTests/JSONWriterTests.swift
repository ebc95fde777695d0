import CustodyCore
import Testing

struct JSONWriterTests {
    @Test func nestedContainersGetTheirCommasAndMatchTheValueWriter() {
        var writer = JSONWriter()
        writer.beginArray()
        for index in 0..<3 {
            writer.beginObject()
            writer.field("id", Int64(index))
            writer.field("tags", ["a", "b"])
            writer.key("empty")
            writer.beginArray()
            writer.endArray()
            writer.key("nested")
            writer.beginObject()
            writer.field("x", nil as String?)
            writer.field("y", 1.5)
            writer.field("z", true)
            writer.endObject()
            writer.field("last", "end")
            writer.endObject()
        }
        writer.endArray()
        let object: JSONText.Value = .object([
            ("id", 0), ("tags", .strings(["a", "b"])), ("empty", .array([])),
            ("nested", .object([("x", .null), ("y", .double(1.5)), ("z", .bool(true))])), ("last", "end"),
        ])
        var expected = JSONText.Value.array([object, object, object]).text
        expected = expected.replacingOccurrences(of: #"{"id":0"#, with: "{\"id\":#")
        var index = 0
        while let range = expected.range(of: "#") {
            expected.replaceSubrange(range, with: String(index))
            index += 1
        }
        #expect(String(decoding: writer.bytes, as: UTF8.self) == expected)
    }

    @Test func quotingEscapesExactlyWhatJSONAndTheLedgerNeed() {
        func quoted(_ text: String) -> String {
            var out: [UInt8] = []
            JSONText.quote(text, into: &out)
            return String(decoding: out, as: UTF8.self)
        }
        #expect(quoted("plain ascii") == #""plain ascii""#)
        #expect(quoted("a\"b\\c") == #""a\"b\\c""#)
        #expect(quoted("\n\r\t\u{01}\u{1F}") == #""\n\r\t\u0001\u001f""#)
        #expect(quoted("line\u{2028}para\u{2029}end") == #""line\u2028para\u2029end""#)
        // Other characters starting with the same lead byte pass through as they are.
        #expect(quoted("a\u{2014}b\u{20AC}") == "\"a\u{2014}b\u{20AC}\"")
        #expect(quoted("é中😀") == "\"é中😀\"")
        // The String form gives the same bytes.
        var text = ""
        JSONText.quote("x\u{2028}\"", into: &text)
        #expect(text == quoted("x\u{2028}\""))
    }

    @Test func integersAndDoublesAsBefore() {
        for number: Int64 in [0, 7, 10, -1, -10, 1_234_567_890, Int64.max, Int64.min] {
            var out: [UInt8] = []
            JSONText.append(number, to: &out)
            #expect(String(decoding: out, as: UTF8.self) == String(number))
        }
        #expect(JSONText.Value.double(3).text == "3.0")
        #expect(JSONText.Value.double(0.25).text == "0.25")
        #expect(JSONText.Value.double(.infinity).text == "null")
    }
}
