// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "Custody",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "custody", targets: ["custody"])
    ],
    targets: [
        // System libraries: a module map and a shim header each, nothing else.
        .systemLibrary(
            name: "CSQLite", pkgConfig: "sqlite3",
            providers: [.apt(["libsqlite3-dev"])]),
        .systemLibrary(
            name: "CYAML", pkgConfig: "yaml-0.1",
            providers: [.apt(["libyaml-dev"])]),
        .systemLibrary(
            name: "COpenSSL", pkgConfig: "libcrypto",
            providers: [.apt(["libssl-dev"])]),
        .systemLibrary(
            name: "CZlib", pkgConfig: "zlib",
            providers: [.apt(["zlib1g-dev"])]),
        .systemLibrary(
            name: "CCurl", pkgConfig: "libcurl",
            providers: [.apt(["libcurl4-openssl-dev"])]),
        .systemLibrary(
            name: "CMicroHTTPD", pkgConfig: "libmicrohttpd",
            providers: [.apt(["libmicrohttpd-dev"])]),
        .systemLibrary(
            name: "CPostgres", pkgConfig: "libpq",
            providers: [.apt(["libpq-dev"])]),
        // libxml2 (Debian's libxml2-dev) behind a small C API: its headers pull in ICU's, which
        // clash with Foundation's when Swift imports them, so only cxml2.c includes them.
        .target(
            name: "CXML2",
            cSettings: [.unsafeFlags(["-I/usr/include/libxml2"])],
            linkerSettings: [.linkedLibrary("xml2")]),
        // simdjson is C++: a small C-ABI shim that parses and hands back the tape.
        .target(
            name: "CSimdJSON",
            cxxSettings: [.unsafeFlags(["-O3", "-std=c++17"])],
            linkerSettings: [.linkedLibrary("simdjson")]),

        .target(name: "CustodyJSON", dependencies: ["CSimdJSON"]),
        .target(name: "CustodyCore"),
        // XML reports (Nessus, ...) through libxml2: entities, DTDs and the network off.
        .target(name: "CustodyXML", dependencies: ["CXML2"]),
        .target(name: "CustodyIngest", dependencies: ["CustodyCore", "CustodyJSON", "CustodyXML", "CZlib"]),
        .target(name: "CustodyOwnership", dependencies: ["CustodyCore", "CustodyJSON", "CYAML"]),
        .target(name: "CustodyMetrics", dependencies: ["CustodyCore"]),
        .target(
            name: "CustodyStore", dependencies: ["CustodyCore", "CustodyMetrics", "CSQLite", "CPostgres", "COpenSSL"]),
        .target(
            name: "CustodyPipeline",
            dependencies: ["CustodyCore", "CustodyIngest", "CustodyOwnership", "CustodyStore", "CustodyJSON"]),
        .target(name: "CustodyNotify", dependencies: ["CustodyCore", "CustodyStore", "CustodyJSON", "CCurl"]),
        // Every operation as a typed request and response: the one place of business rules.
        .target(
            name: "CustodyService",
            dependencies: [
                "CustodyCore", "CustodyIngest", "CustodyOwnership", "CustodyStore", "CustodyJSON", "CustodyPipeline",
                "CustodyNotify", "CustodyMetrics",
            ]),
        // Parses arguments, calls the service, formats: no SQL and no business rule.
        // Renders the service's reports as HTML with SVG charts (and PDF through Chromium).
        .target(name: "CustodyReports", dependencies: ["CustodyService", "CustodyMetrics", "CustodyCore"]),
        // The HTTP server (libmicrohttpd) and the JSON API over the service: no business rule.
        // The web dashboard: HTML pages over the service, drawn with the reports' HTML and SVG.
        .target(
            name: "CustodyDashboard",
            dependencies: ["CustodyService", "CustodyReports", "CustodyMetrics", "CustodyStore", "CustodyCore"]),
        .target(
            name: "CustodyServer",
            dependencies: [
                "CustodyService", "CustodyDashboard", "CustodyReports", "CustodyCore", "CustodyJSON", "CMicroHTTPD",
            ]),
        .target(
            name: "CustodyCLI",
            dependencies: ["CustodyService", "CustodyCore", "CustodySamples", "CustodyReports", "CustodyServer"]),
        // Sample inputs: the demo organisation and large benchmark inputs (`custody sample`).
        .target(name: "CustodySamples", dependencies: ["CustodyCore", "CustodyOwnership"]),
        .executableTarget(name: "custody", dependencies: ["CustodyCLI"]),
        // Measures library calls that have no command of their own (make bench).
        .executableTarget(
            name: "custody-bench",
            dependencies: [
                "CustodyOwnership", "CustodyCore", "CustodyIngest", "CustodyJSON", "CustodyStore", "CustodyMetrics",
            ],
            path: "bench/Sources"),
        // The fuzz targets' entry point (make fuzz); without the fuzzer it replays inputs.
        .executableTarget(name: "custody-fuzz", dependencies: ["CustodyIngest"], path: "fuzz/Sources"),
        .target(name: "CustodyTestSupport", path: "Tests/Support"),

        .testTarget(name: "CustodyJSONTests", dependencies: ["CustodyTestSupport", "CustodyJSON"]),
        .testTarget(name: "CustodyCoreTests", dependencies: ["CustodyTestSupport", "CustodyCore"]),
        .testTarget(name: "CustodyMetricsTests", dependencies: ["CustodyTestSupport", "CustodyMetrics", "CustodyCore"]),
        .testTarget(
            name: "CustodyIngestTests",
            dependencies: ["CustodyTestSupport", "CustodyIngest", "CustodyCore", "CustodyJSON"],
            // Inputs the fuzzers found, read from the source tree by HardInputTests.
            exclude: ["FuzzRegressions"]),
        .testTarget(
            name: "CustodyOwnershipTests",
            dependencies: ["CustodyTestSupport", "CustodyOwnership", "CustodyCore", "CustodyJSON"]),
        .testTarget(name: "CustodyStoreTests", dependencies: ["CustodyTestSupport", "CustodyStore", "CustodyCore"]),
        .testTarget(
            name: "CustodyPipelineTests",
            dependencies: ["CustodyTestSupport", "CustodyPipeline", "CustodyStore", "CustodyCore"]),
        .testTarget(
            name: "CustodyServiceTests",
            dependencies: ["CustodyTestSupport", "CustodyService", "CustodyStore", "CustodyCore", "CustodyJSON"]),
        .testTarget(
            name: "CustodyServerTests",
            dependencies: ["CustodyTestSupport", "CustodyServer", "CustodyService", "CustodyCore"]),
        .testTarget(
            name: "CustodyCLITests",
            dependencies: ["CustodyTestSupport", "CustodyCLI", "CustodyService", "CustodyStore", "CustodyCore", "CustodyJSON", "CustodyIngest"]),
    ],
    swiftLanguageModes: [.v6]
)
