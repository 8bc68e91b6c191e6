import ArgumentParser
import ColumnStore
import Testing

@testable import Tools

@Suite struct ErrorWordingTests {
  @Test func oneStyleLowercaseButPathsAndAcronymsKept() {
    #expect(ErrorWording.message(for: CommandError("Unexpected thing")) == "error: unexpected thing")
    #expect(ErrorWording.message(for: CommandError("Tests/x.h5: not an HDF5 file")) == "error: Tests/x.h5: not an HDF5 file")
    #expect(ErrorWording.message(for: CommandError("HDF5 said no")) == "error: HDF5 said no")
    #expect(ErrorWording.message(for: ValidationError("--threads must be at least 1")).hasPrefix("error: --threads must be at least 1"))
  }

  @Test func storeRemediesNameTheFlags() {
    let e = ColumnStoreError(.notFound, path: "Dst", "several sets match mode Dst", remedy: .chooseSet(["p1/data", "p2/data"]))
    #expect(ErrorWording.message(for: e)
      == "error: several sets match mode Dst; choose one: --proc p1 --sample data; --proc p2 --sample data")
    let empty = ColumnStoreError(.notFound, path: "x", "the store /s is empty", remedy: .addData)
    #expect(ErrorWording.message(for: empty).hasSuffix("create data with `syscorr generate` or `syscorr ingest`"))
  }
}
