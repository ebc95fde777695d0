import CustodyJSON
import Testing

struct JSONDocumentTests {
    func parse(_ text: String) throws -> JSONValue { try JSONDocument(bytes: Array(text.utf8)).root }

    @Test func scalarsAndContainers() throws {
        let root = try parse(
            #"{"s":"h\u00e9\"llo\n","i":-42,"u":18446744073709551615,"d":2.5,"t":true,"f":false,"n":null,"a":[1,[2,3],{"k":4}],"o":{}}"#
        )
        #expect(root.kind == .object)
        #expect(root["s"]?.string == "hé\"llo\n")
        #expect(root["i"]?.int == -42)
        #expect(root["u"]?.int == nil)  // does not fit an Int
        #expect(root["u"]?.double == 18446744073709551615.0)
        #expect(root["d"]?.double == 2.5)
        #expect(root["d"]?.int == nil)
        #expect(root["t"]?.bool == true)
        #expect(root["f"]?.bool == false)
        #expect(root["n"]?.isNull == true)
        #expect(root["missing"] == nil)
        let array = try #require(root["a"]?.array)
        let items = Array(array)
        #expect(items.count == 3)
        #expect(items[0].int == 1)
        #expect(items[1].array.map { Array($0).compactMap(\.int) } == [2, 3])
        #expect(items[2]["k"]?.int == 4)
        #expect(root["o"]?.object.map { Array($0).count } == 0)
        #expect(Array(root.object!).map(\.key) == ["s", "i", "u", "d", "t", "f", "n", "a", "o"])
        #expect(root.member("d")?.double == 2.5)
    }

    @Test func lookupsSkipNestedValues() throws {
        // A key inside a nested object must not be found at the outer level.
        let root = try parse(#"{"outer":{"target":1},"list":[{"target":2}],"target":3}"#)
        #expect(root["target"]?.int == 3)
    }

    @Test func syntaxErrorsCarryTheirPlace() throws {
        do {
            _ = try parse("{\"a\": [1, 2,, 3]}")
            Issue.record("accepted invalid JSON")
        } catch let error as JSONError {
            #expect(error.location == JSONError.Location(offset: 12, line: 1, column: 13))
        }
    }

    @Test func invalidUTF8IsRefused() throws {
        #expect(throws: JSONError.self) { try JSONDocument(bytes: [0x22, 0xFF, 0xFE, 0x22]) }
    }

    @Test func depthLimit() throws {
        let nested = String(repeating: "[", count: 40) + String(repeating: "]", count: 40)
        #expect(throws: JSONError.self) { try JSONDocument(bytes: Array(nested.utf8), maxDepth: 16) }
        #expect(throws: Never.self) { try JSONDocument(bytes: Array(nested.utf8), maxDepth: 64) }
    }

    /// A report is one JSON value: the outline of its root refuses what follows it, as the whole
    /// parse does (a stray `]}` must not end a document early and hide the rest).
    @Test(arguments: [
        (#"{"a":1}"#, true), (" {\"a\":[1,{\"b\":2}]} \n", true), ("{}", true), ("[]", true), ("[1, 2]", true),
        (#"{"a":1}]}"#, false), (#"{"a":1} {"b":2}"#, false), ("[1]x", false), ("{} {}", false), ("[] ,", false),
    ])
    func theOutlineRefusesContentAfterTheValue(_ text: String, _ accepted: Bool) throws {
        let input = JSONInput(bytes: Array(text.utf8))
        let outline = {
            if text.trimmingCharacters(in: .whitespacesAndNewlines).hasPrefix("{") {
                _ = try input.outlineObject(input.whole)
            } else {
                _ = try input.outlineArray(input.whole)
            }
        }
        if accepted {
            #expect(throws: Never.self, "\(text)") { try outline() }
        } else {
            #expect(throws: JSONError.self, "\(text)") { try outline() }
        }
    }
}
