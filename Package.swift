// swift-tools-version:6.0
// SysCorr: a column store and query engine for Belle II PID systematics.
import PackageDescription

// MARK: - C bridges (Debian's -dev packages, found through pkg-config)

let cBridges: [Target] = [
  .systemLibrary(
    name: "CHDF5", path: "Sources/ColumnStore/CHDF5",
    pkgConfig: "hdf5-serial", providers: [.apt(["libhdf5-dev"])]),
  .systemLibrary(
    name: "CZlib", path: "Sources/ColumnStore/CZlib",
    pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
  .systemLibrary(
    name: "CDeflate", path: "Sources/ColumnStore/CDeflate",
    pkgConfig: "libdeflate", providers: [.apt(["libdeflate-dev"])]),
  .systemLibrary(
    name: "CZstd", path: "Sources/ColumnStore/CZstd",
    pkgConfig: "libzstd", providers: [.apt(["libzstd-dev"])]),
  .systemLibrary(
    name: "CLZ4", path: "Sources/ColumnStore/CLZ4",
    pkgConfig: "liblz4", providers: [.apt(["liblz4-dev"])]),
  .systemLibrary(
    name: "CLZMA", path: "Sources/ColumnStore/CLZMA",
    pkgConfig: "liblzma", providers: [.apt(["liblzma-dev"])]),
  .systemLibrary(name: "CMalloc", path: "Sources/ColumnStore/CMalloc"),
]
let cBridgeNames = ["CHDF5", "CZlib", "CDeflate", "CZstd", "CLZ4", "CLZMA", "CMalloc"]

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
    .target(
      name: "ColumnStore",
      dependencies: cBridgeNames.map { .target(name: $0) } + [
        .product(name: "Yams", package: "Yams")
      ],
      exclude: cBridgeNames),
    .target(name: "Query", dependencies: ["ColumnStore"]),
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
