/// SVG plots and HTML reports built from the plain result types of
/// `Analysis` (no I/O of their own beyond writing files). See docs/architecture.md.
public enum Report {}
