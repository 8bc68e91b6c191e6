import Testing

@testable import Report

@Suite struct PlotScaleTests {
  @Test func niceTicks() {
    #expect(PlotScale(-3.5, 3.5, pixels: (0, 100)).ticks(target: 3) == [-2.5, 0, 2.5])
    #expect(PlotScale(0, 21000, pixels: (0, 100)).ticks(target: 6) == [0, 5000, 10000, 15000, 20000])
    #expect(PlotScale(1.8, 1.95, pixels: (0, 100)).ticks(target: 6).count == 7)
  }

  @Test func labelsShowTheStep() {
    #expect(PlotScale.label(1.825, step: 0.025) == "1.825")
    #expect(PlotScale.label(1.8, step: 0.025) == "1.800")
    #expect(PlotScale.label(-2.5, step: 2.5) == "-2.5")
    #expect(PlotScale.label(20000, step: 5000) == "20000")
    #expect(PlotScale.label(0.0015, step: 0.0015) == "0.0015")
  }

  @Test func mapsToPixels() {
    let s = PlotScale(0, 10, pixels: (100, 200))
    #expect(s(5) == 150)
    let flipped = PlotScale(0, 10, pixels: (200, 100))
    #expect(flipped(10) == 100)
  }
}
