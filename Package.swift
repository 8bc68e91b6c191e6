// swift-tools-version:6.0
// SysCorr: PID systematics for Belle II — column store, query engine, fits,
// tables. The module graph (each module depends only on those before it in
// this list) is documented in docs/architecture.md and enforced by
// Tests/ArchitectureTests:
//   Numerics ← ColumnStore ← Modes ← Query ← Toys ← Analysis ← Report ← Workflow ← Tools
import PackageDescription

// MARK: - C bridges (Debian's -dev packages; the Makefile installs them)
// Each module map links the library's static archive (`link ":libNAME.a"`): a
// `syscorr` process then maps no shared library but libc/libm/libstdc++/libz,
// which saves ~6 ms per start (Debian's shared libhdf5 alone pulls in 37
// libraries for an S3 driver SysCorr never uses). They belong to ColumnStore.

let cBridgeNames = ["CHDF5", "CZlib", "CDeflate", "CZstd", "CLZ4", "CLZMA", "CMalloc"]
let cBridges: [Target] = cBridgeNames.map {
  .systemLibrary(name: $0, path: "Sources/ColumnStore/\($0)")
}

// MARK: - Libraries and the command line

let package = Package(
  name: "SysCorr",
  platforms: [.macOS(.v15)],
  products: [
    .executable(name: "syscorr", targets: ["Tools"]),
    .library(name: "Numerics", targets: ["Numerics"]),
    .library(name: "ColumnStore", targets: ["ColumnStore"]),
    .library(name: "Modes", targets: ["Modes"]),
    .library(name: "Query", targets: ["Query"]),
    .library(name: "Toys", targets: ["Toys"]),
    .library(name: "Analysis", targets: ["Analysis"]),
  ],
  dependencies: [
    .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    .package(url: "https://github.com/jpsim/Yams", from: "5.0.1"),
  ],
  targets: cBridges + [
    // Random generators, compensated sums, PDFs, the minimizer: no dependencies.
    // Optimised in debug builds too: the fits' inner loops are 30× slower
    // unoptimised, which would make the pull studies and interop fits crawl.
    .target(name: "Numerics", swiftSettings: [.unsafeFlags(["-O"]), .define("SYSCORR_OPTIMIZED")]),
    // SIMD kernels in C (compiled for AVX2 and the baseline, chosen at load
    // time), owned by the scan: chunk statistics (ColumnStore) and the
    // histogram/count loops (Query).
    .target(name: "CKernels", cSettings: [.unsafeFlags(["-O3", "-ffp-contract=off"])]),
    // Bytes: HDF5, codecs, chunk index, catalog, atomic writes, ROOT/CSV readers.
    .target(
      name: "ColumnStore",
      dependencies: ["Numerics", "CKernels"] + cBridgeNames.map { .target(name: $0) },
      exclude: cBridgeNames),
    // The Belle II model: basf2 naming, decay strings, calibration modes, fit models.
    .target(
      name: "Modes",
      dependencies: ["Numerics", "ColumnStore", .product(name: "Yams", package: "Yams")]),
    // The expression language and the mergeable aggregates.
    .target(name: "Query", dependencies: ["Numerics", "ColumnStore", "Modes", "CKernels"]),
    // The toy generator.
    .target(name: "Toys", dependencies: ["Numerics", "ColumnStore", "Modes"]),
    // Multi-pass work over Query: fits → sWeights, tables, weights, resampling.
    .target(name: "Analysis", dependencies: ["Numerics", "ColumnStore", "Modes", "Query", "Toys"]),
    // SVG plots and HTML reports from plain result types.
    .target(name: "Report", dependencies: ["Numerics", "ColumnStore", "Modes", "Query", "Analysis"]),
    // YAML-configured runs.
    .target(
      name: "Workflow",
      dependencies: ["Numerics", "ColumnStore", "Modes", "Query", "Analysis", "Report",
                     .product(name: "Yams", package: "Yams")]),
    // The `syscorr` command line: options → one library call → print.
    .executableTarget(
      name: "Tools",
      dependencies: [
        "Numerics", "ColumnStore", "Modes", "Query", "Toys", "Analysis", "Report", "Workflow",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
      ]),

    // MARK: - Tests (one target per library, one shared support target)
    .target(name: "TestSupport", dependencies: ["Numerics", "ColumnStore"], path: "Tests/TestSupport"),
    .testTarget(name: "NumericsTests", dependencies: ["Numerics", "TestSupport"]),
    .testTarget(name: "ColumnStoreTests", dependencies: ["ColumnStore", "Numerics", "TestSupport"]),
    .testTarget(name: "ModesTests", dependencies: ["Modes", "ColumnStore", "TestSupport"]),
    .testTarget(name: "QueryTests", dependencies: ["Query", "ColumnStore", "Modes", "TestSupport"]),
    .testTarget(name: "ToysTests", dependencies: ["Toys", "Modes", "Numerics", "ColumnStore", "Query", "TestSupport"]),
    .testTarget(name: "AnalysisTests", dependencies: ["Analysis", "Modes", "Query", "ColumnStore", "Numerics", "TestSupport"]),
    .testTarget(name: "ReportTests", dependencies: ["Report", "Analysis", "Query", "ColumnStore"]),
    .testTarget(name: "ToolsTests", dependencies: ["Tools", "ColumnStore", "Query", "TestSupport"]),
    .testTarget(name: "ArchitectureTests", dependencies: ["TestSupport"]),
  ]
)
