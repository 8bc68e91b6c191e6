import ArgumentParser
import ColumnStore
import Foundation
import Modes
import Query
import Analysis
import Numerics
import Workflow

/// The one place errors are worded for people: `error: …` (lowercase) on
/// stderr, then a non-zero exit. Libraries throw typed errors carrying the
/// facts; this turns each kind into its message.
enum ErrorWording {
  /// The text printed on stderr for `error`: `error: ` and the message,
  /// its first word in lower case (`Unexpected argument` → `unexpected
  /// argument`; `HDF5 …` stays).
  static func message(for error: any Error) -> String {
    let text = wording(error)
    let body = text.dropFirst("error: ".count)
    // only a capitalised ordinary word: never a path (`Tests/x.h5`) or an acronym (`HDF5`)
    let word = body.prefix { $0.isLetter }
    let next = body.dropFirst(word.count).first
    guard let first = word.first, first.isUppercase, word.dropFirst().allSatisfy(\.isLowercase), word.count > 1,
      next.map({ $0 == " " || $0 == ":" || $0 == "," }) ?? true
    else { return text }
    return "error: " + first.lowercased() + body.dropFirst()
  }

  static func wording(_ error: any Error) -> String {
    switch error {
    case let e as QueryError:
      return e.description  // already `error: …` with the caret line and notes
    case let e as ColumnStoreError:
      return "error: " + located(e.path, e.message) + (e.remedy.map(remedy) ?? "")
    case let e as CommandError:
      return "error: " + e.description
    case let e as DecayStringError:
      return "error: " + e.description
    case let e as MassFitError:
      return "error: " + fit(e)
    case FitJobError.sWeightsNeedASet:
      return "error: sWeights are friend columns of a store set; ingest the file first (syscorr ingest)"
    case let e as SPlot.Failure:
      return "error: " + (e == .singularMatrix
        ? "sWeights: the yield covariance is singular (a species with no events, or two identical shapes); nothing written"
        : "sWeights: the yields-only refit did not reach the minimum; nothing written")
    case let e as ShapeError:
      return "error: " + e.description
    case let e as EfficiencyTableError:
      return "error: " + table(e)
    case let e as TableCombinationError:
      switch e {
      case .noTables: return "error: no tables to combine"
      case .differentBins(let i): return "error: table \(i + 1) has other bins than table 1"
      case .differentCuts(let i): return "error: table \(i + 1) has other cuts or precuts than table 1"
      case .luminosityCount(let given, let tables): return "error: --luminosity gives \(given) values for \(tables) tables"
      case .badLuminosity: return "error: --luminosity values must be positive"
      }
    case let e as PIDDensityError:
      return "error: " + kde(e)
    case let e as MultiTrackError:
      switch e {
      case .missingVariable(let track, let variable):
        return "error: the track \(track) has no column for the table's axis \(variable) (\(track)_\(variable))"
      case .ambiguousEntry(let choices): return "error: the table has several cuts; choose one with --cut (and --precut): " + choices.joined(separator: "; ")
      case .noSuchEntry(let cut, let choices): return "error: the table has no '\(cut)'; it has: " + choices.joined(separator: "; ")
      }
    case let e as WeightTableError:
      switch e {
      case .mismatch: return "error: the data and simulation tables differ in bins or cuts"
      case .unknownFormat(let path, let known): return "error: \(path): write the table as " + known.map { "." + $0 }.joined(separator: " or ")
      case .severalPrecuts:
        return "error: PIDVar and ParticleWeighting tables have no precuts; bin in the variable instead (e.g. --bin charge=-2,0,2)"
      case .noThreshold(let cut): return "error: '\(cut)' is not a cut VAR > T, which PIDVar tables are selected by"
      }
    default:
      var text = SysCorr.fullMessage(for: error)
      if text.hasPrefix("Error: ") { text = "error: " + text.dropFirst("Error: ".count) }
      if !text.hasPrefix("error: ") { text = "error: " + text }
      return text
    }
  }

  /// `path: message` for configuration paths (`Dst.fit.signal.kind: …`);
  /// file errors already name their file in the message.
  static func located(_ path: String, _ message: String) -> String {
    guard !path.isEmpty, path.contains("."), !path.contains("/"), !message.contains(path) else { return message }
    return "\(path): \(message)"
  }

  static func fit(_ e: MassFitError) -> String {
    switch e {
    case .emptySelection(let cut):
      return "no candidate passes the selection '\(cut)'; nothing fitted, nothing written"
    case .noEventsInRange(let column, let range, let outside):
      return "no selected candidate has \(column) in [\(range[0]), \(range[1])] (\(outside) selected outside); "
        + "check --range and --mass; nothing written"
    case .invalidModel(let why):
      return "the mass model is not valid: \(why)"
    case .noSystematicModel:
      return "sWeights need the mode's systematic model (the `systematic` entry of its `fit` section); nothing written"
    case .sWeightsNeedEvents:
      return "sWeights need every event, and these shards of a binned fit (--binned) sent their histograms only: "
        + "run the shards with --write-sweights (they then send the events too), or merge without it; nothing written"
    case .notConverged(let r):
      let limits = (r.parameters.merging(r.yields) { a, _ in a }).filter { $0.value.atLimit }.keys.sorted()
      return "the fit of \(r.column) did not converge (\(r.status); edm \(String(format: "%.2g", r.edm)), "
        + "\(r.calls) calls\(limits.isEmpty ? "" : "; at limit: " + limits.joined(separator: ", ")))"
        + "; nothing written. Try other start values or limits in the model file (--model), or --range"
    case .binCount(let n, let maximum):
      return "--binned \(n): a binned fit takes 2 to \(maximum) bins"
    }
  }

  static func kde(_ e: PIDDensityError) -> String {
    switch e {
    case .noKinematics: return "--vars: give at least one kinematic variable"
    case .tooManyAxes(let d): return "a density of \(d) axes: at most 8 kinematic variables and the PID"
    case .wrongCount(let option, let expected, let got): return "--\(option): \(got) values for \(expected) axes"
    case .badCells(let c): return "--grid \(c.map(String.init).joined(separator: ",")): 2 to 100000 cells per axis"
    case .gridTooLarge(let cells): return "--grid: \(Output.compact(cells)) cells is more than the 50,000,000 a density may have"
    case .badBandwidth(let b): return "--bandwidth \(b.map(Output.compact).joined(separator: ",")): bandwidths must be positive"
    case .badRange(let v): return "--range \(v): the box must be finite with lo < hi"
    case .noBox(let v): return "--range \(v)=lo,hi is needed: a sharded density bins a box given before the scan"
    case .noSpread(let v): return "\(v) takes a single value (or none) on the selected rows; give its box with --range \(v)=lo,hi"
    case .logitOutsideUnitInterval(let v): return "--pid-transform logit needs \(v) in [0, 1]; use --pid-transform none"
    case .noData(let outside):
      return "no selected row with positive weight inside the density's box" + (outside > 0 ? " (\(Output.grouped(outside)) rows outside it; see --range)" : "")
    case .notADensity(let path): return "\(path) is not a density written by `syscorr kde fit`"
    case .unknownVariant(let v, let known): return "the density has no variant '\(v)'; it has: " + (known.isEmpty ? "none" : known.joined(separator: ", "))
    case .missingVariable(let v, let near):
      return "no column '\(v)'" + (near.isEmpty ? "" : "; did you mean " + near.prefix(3).map { "'\($0)'" }.joined(separator: ", ") + "?")
    }
  }

  static func table(_ e: EfficiencyTableError) -> String {
    switch e {
    case .noCuts: return "give at least one --cut"
    case .unknownParticle(let p, let known):
      return "no track '\(p)'" + (known.isEmpty ? " (no column starts with '\(p)_')" : "; the mode's tracks: " + known.joined(separator: ", "))
    case .unknownVariable(let v, let track, let near):
      return "--bin \(v): the track \(track) has no column \(track)_\(v)" + (near.isEmpty ? "" : "; did you mean " + near.prefix(3).map { "'\($0)'" }.joined(separator: ", ") + "?")
    case .badEdges(let v, let reason): return "--bin \(v): \(reason)"
    case .unknownSpecies(let name, let known): return "unknown species '\(name)'; use \(known.joined(separator: ", ")) or a PDG code"
    case .noTruth(let column): return "--true-species needs the simulation's truth column \(column), which this sample lacks"
    case .unknownFormat(let path, let known): return "\(path): write a table as " + known.map { "." + $0 }.joined(separator: ", ")
    case .noHistograms: return "this table has no histograms to write as HDF5"
    }
  }

  /// The command-line wording of what the user can do.
  static func remedy(_ r: ColumnStoreError.Remedy) -> String {
    switch r {
    case .addData: "; create data with `syscorr generate` or `syscorr ingest`"
    case .replaceSet: "; use --replace to start the set anew"
    case .overwrite: "; use --force to overwrite it"
    case .allowDuplicate: "; use --allow-duplicate to add it anyway"
    case .chooseSet(let sets):
      "; choose one: " + sets.map { s in
        let parts = s.split(separator: "/", maxSplits: 1)
        return "--proc \(parts[0]) --sample \(parts.count > 1 ? parts[1] : "")"
      }.joined(separator: "; ")
    }
  }

  /// Reports `error` and exits: help and version go to stdout with status 0.
  static func exit(_ error: any Error) -> Never {
    let code = SysCorr.exitCode(for: error)
    if code == .success { SysCorr.exit(withError: error) }
    FileHandle.standardError.write(Data((message(for: error) + "\n").utf8))
    Foundation.exit(code.rawValue)
  }
}
