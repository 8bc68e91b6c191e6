import ColumnStore
import Foundation
import Query
import Testing

#if canImport(FoundationXML)
  import FoundationXML
#endif

@testable import Analysis
@testable import Report

/// Parses `svg` with Foundation's XML parser; returns the element names in document order (nil when not well-formed).
func elements(_ svg: String) -> [String]? {
  final class Collector: NSObject, XMLParserDelegate {
    var names: [String] = []
    func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
                attributes: [String: String] = [:]) {
      names.append(name)
    }
  }
  let parser = XMLParser(data: Data(svg.utf8))
  let collector = Collector()
  parser.delegate = collector
  return parser.parse() ? collector.names : nil
}

@Suite struct LogScaleTests {
  @Test func ticksArePowersOfTen() {
    #expect(PlotScale(1, 1e4, pixels: (0, 100), kind: .log).ticks(target: 6) == [1, 10, 100, 1000, 10000])
    // many decades: every second power
    #expect(PlotScale(1e-3, 1e4, pixels: (0, 100), kind: .log).ticks(target: 6) == [1e-3, 1e-1, 10, 1000])
    // less than a decade: 1, 2, 5 × 10ⁿ
    #expect(PlotScale(2, 90, pixels: (0, 100), kind: .log).ticks(target: 6) == [2, 5, 10, 20, 50])
    #expect(PlotScale(1, 100, pixels: (0, 100), kind: .log).minorTicks().count == 16)
    #expect(PlotScale(0, 10, pixels: (0, 100)).minorTicks().isEmpty)
  }

  @Test func mapsDecadesEvenly() {
    let s = PlotScale(1, 100, pixels: (300, 100), kind: .log)
    #expect(abs(s(10) - 200) < 1e-9)
    #expect(abs(s(100) - 100) < 1e-9)
    // zero and negative values fall far outside the pixel range (clipped away)
    #expect(s(0) > 1000 && s(-5) > 1000)
    // a non-positive lower limit is replaced
    #expect(PlotScale(0, 100, pixels: (0, 1), kind: .log).lo == 1e-4)
  }

  @Test func labelsUseSuperscripts() {
    let s = PlotScale(1e-3, 1e3, pixels: (0, 100), kind: .log)
    #expect(s.labels([1e-3, 1, 1e3]) == ["10^{-3}", "10^{0}", "10^{3}"])
    #expect(PlotScale.label(2e6, step: 1e6) == "2×10^{6}")
    #expect(PlotScale.label(1e7, step: 1e6) == "10^{7}")
    #expect(PlotScale.label(3e-5, step: 1e-5) == "3×10^{-5}")
    #expect(PlotScale.label(9.9996e6, step: 1e6) == "10^{7}")
    // a tiny step near 1 keeps decimals
    #expect(PlotScale.label(0.99995, step: 0.00005) == "0.99995")
    #expect(PlotScale.label(0, step: 0.00005) == "0.00000")
    // linear labels as before
    #expect(PlotScale(0, 1, pixels: (0, 100)).labels([0, 0.5, 1]) == ["0.0", "0.5", "1.0"])
  }

  @Test func superscriptMarkupIsWellFormed() {
    #expect(SVGDocument.markup("10^{-3}", size: 10) == "10<tspan dy=\"-4\" font-size=\"7.20\">-3</tspan>")
    #expect(SVGDocument.markup("GeV^{2} & more", size: 10)
      == "GeV<tspan dy=\"-4\" font-size=\"7.20\">2</tspan><tspan dy=\"4\"> &amp; more</tspan>")
    #expect(SVGDocument.markup("a < b", size: 10) == "a &lt; b")
    var svg = SVGDocument(width: 10, height: 10)
    svg.text("x^{<2>} ^{", x: 1, y: 1)
    #expect(elements(svg.render()) != nil)
  }
}

@Suite struct ColorMapTests {
  @Test func viridisEndsAndInterpolates() {
    let v = ColorMap.viridis
    #expect(v.hex(0) == "#440154")
    #expect(v.hex(1) == "#fde725")
    #expect(v.hex(-3) == v.hex(0) && v.hex(7) == v.hex(1) && v.hex(.nan) == v.hex(0))
    // halfway between stops 4 and 5 (#26828e, #1f9e89)
    let mid = v.rgb(4.5 / 9)
    #expect(abs(mid.g - (0x82 + 0x9e) / 2.0 / 255) < 1e-12)
    // viridis gets lighter all the way
    let lightness = (0...50).map { t -> Double in
      let c = v.rgb(Double(t) / 50)
      return 0.299 * c.r + 0.587 * c.g + 0.114 * c.b
    }
    #expect(zip(lightness, lightness.dropFirst()).allSatisfy { $0 < $1 })
    #expect(v.textColor(0) == "#fff" && v.textColor(1) == "#000")
  }

  @Test func colorBarIsWellFormed() throws {
    var svg = SVGDocument(width: 200, height: 300)
    ColorMap.viridis.drawBar(&svg, frame: (10, 10, 20, 200), range: (0.6, 0.95), title: "efficiency")
    let names = try #require(elements(svg.render()))
    #expect(names.filter { $0 == "rect" }.count >= 64)
    #expect(names.filter { $0 == "text" }.count >= 4)
  }
}

@Suite struct DistributionPlotTests {
  func histogram(_ selection: String, _ values: [Double], scale: Double = 1) -> DistributionComparison.Histogram {
    .init(selection: selection, entries: Int(values.reduce(0, +)), sumW: values, sumW2: values, underflow: 0, overflow: 0,
          underflowW2: 0, overflowW2: 0, scale: scale, values: values.map { $0 * scale }, errors: values.map { $0.squareRoot() * scale })
  }

  func comparison(mc: Bool, overlays: [String]) -> DistributionComparison {
    let labels = overlays.isEmpty ? [""] : overlays
    let data = labels.map { histogram($0, [0, 4, 25, 100, 30, 2]) }
    let sim = mc ? labels.map { histogram($0, [1, 6, 20, 110, 28, 0], scale: 0.5) } : []
    let ratios = mc ? labels.map { _ in DistributionComparison.Ratio(selection: "", values: [0, 1.3, 2.5, 1.8, 2.1, .nan], errors: [1, 0.5, 0.6, 0.2, 0.4, .nan]) } : []
    return DistributionComparison(
      expression: "kaonID", expressions: ["D0_K_kaonID"], particle: "K", edges: [0, 0.2, 0.4, 0.6, 0.8, 0.9, 1.0], regular: false,
      selection: "in_fit", weight: "sweight", mcWeight: mc ? "sweight" : nil, density: false, data: data, mc: sim, ratios: ratios)
  }

  @Test(arguments: [(false, false), (true, false), (true, true)])
  func svgIsWellFormed(mc: Bool, log: Bool) throws {
    for overlays in [[], ["charge > 0", "charge < 0 && p > 1"]] {
      let plot = DistributionPlot(comparison(mc: mc, overlays: overlays), title: "Dst <test>", log: log)
      let names = try #require(elements(plot.svg))
      #expect(names.first == "svg")
      #expect(!plot.svg.contains("nan") && !plot.svg.contains("inf"))
      // data points: one per bin and selection with a finite value (ratio points too with simulation)
      let points = names.filter { $0 == "circle" }.count
      let legendPoints = mc || overlays.isEmpty ? max(overlays.count, 1) : 0
      #expect(points >= legendPoints)
      if log { #expect(plot.svg.contains("font-size=\"8.64\">")) }  // 10^{k} tick labels as superscripts
      if mc { #expect(plot.svg.contains("data / sim.")) }
    }
  }

  @Test func efficiencyMapIsWellFormed() throws {
    var cols: [String: [Double]] = ["K_p": [], "K_cosTheta": [], "K_kaonID": []]
    for i in 0..<4000 {
      cols["K_p"]!.append(0.5 + Double(i % 40) / 10)
      cols["K_cosTheta"]!.append(-0.8 + Double(i % 17) / 10)
      cols["K_kaonID"]!.append(Double((i * 7919) % 1000) / 1000)
    }
    let table = try MemoryTable(
      columns: cols.keys.sorted().map { (ColumnInfo(name: $0, type: .float64), .float64(cols[$0]!)) }, chunkRows: 1000)
    let request = EfficiencyTable.Request(axes: [("p", [0.5, 1, 2, 4.5]), ("cosTheta", [-0.8, 0, 0.5, 0.9, 0.95])],
                                          cuts: ["kaonID > 0.2", "kaonID > 0.6"])
    let t = try EfficiencyTable.compute(request, particle: "K", mode: nil, source: table)
    let map = EfficiencyMap(t, title: "test")
    let names = try #require(elements(map.svg))
    #expect(map.data.panels.count == 2)
    #expect(map.data.panels[0].efficiency.count == 12)
    // a cell per bin with tracks (cosTheta ≥ 0.9 has none: white), plus the colour bar's 64 steps and the frames
    let filled = map.data.panels.map { $0.efficiency.filter(\.isFinite).count }
    #expect(filled == [9, 9])
    #expect(names.filter { $0 == "rect" }.count == 1 + 2 * (9 + 64 + 2))
    let e = t.tables[1].bins.first { $0.index == [1, 2] }!.efficiency
    #expect(map.data.panels[1].efficiency[1 * 4 + 2] == e)
  }
}
