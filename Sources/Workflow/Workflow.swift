/// YAML-configured runs (`syscorr fw -w …`): ntuple production, refits,
/// fixed-cut weights. Resumable; progress on stderr. See docs/architecture.md.
public enum Workflow {}
