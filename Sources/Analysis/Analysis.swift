/// Multi-pass work over `Query`: mass fits → sWeights → friend columns,
/// efficiency and weight tables, resampling. See docs/architecture.md.
public enum Analysis {}
