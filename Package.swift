// swift-tools-version:6.0
// SysCorr: a column store and query engine for Belle II PID systematics.
import PackageDescription

// MARK: - C bridges (Debian's -dev packages; the Makefile installs them)
// Each module map links the library's static archive (`link ":libNAME.a"`): a
// `syscorr` process then maps no shared library but libc/libm/libstdc++/libz,
// which saves ~6 ms per start (Debian's shared libhdf5 alone pulls in 37
// libraries for an S3 driver SysCorr never uses).

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
    .library(name: "ColumnStore", targets: ["ColumnStore"]),
    .library(name: "Query", targets: ["Query"]),
  ],
  dependencies: [
    .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    .package(url: "https://github.com/jpsim/Yams", from: "5.0.1"),
  ],
  targets: cBridges + [
    // SIMD kernels in C (compiled for AVX2 and the baseline, chosen at load time).
    .target(
      name: "CKernels", path: "Sources/ColumnStore/CKernels",
      cSettings: [.unsafeFlags(["-O3", "-ffp-contract=off"])]),
    .target(
      name: "ColumnStore",
      dependencies: cBridgeNames.map { .target(name: $0) } + ["CKernels",
        .product(name: "Yams", package: "Yams")
      ],
      exclude: cBridgeNames + ["CKernels"]),
    .target(name: "Query", dependencies: ["ColumnStore", "CKernels"]),
    .executableTarget(
      name: "Tools",
      dependencies: [
        "ColumnStore", "Query",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
      ]),

    // MARK: - Tests (one target per library)
    .testTarget(name: "ColumnStoreTests", dependencies: ["ColumnStore"]),
    .testTarget(name: "QueryTests", dependencies: ["Query", "ColumnStore"]),
    .testTarget(name: "ToolsTests", dependencies: ["Tools", "ColumnStore", "Query"]),
  ]
)
