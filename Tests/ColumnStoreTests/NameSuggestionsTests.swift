import ColumnStore
import Testing

@Suite struct NameSuggestionsTests {
  @Test func editDistanceIsLevenshtein() {
    #expect(NameSuggestions.editDistance("kitten", "sitting") == 3)
    #expect(NameSuggestions.editDistance("", "abc") == 3)
    #expect(NameSuggestions.editDistance("flaw", "lawn") == 2)
  }

  /// A variable typed without its particle prefix suggests the prefixed column first.
  @Test func droppedPrefixFindsTheTrack() {
    let columns = ["pi_kaonID", "D0_K_kaonID", "D0_pi_kaonID", "D0_K_charge", "D0_M"]
    #expect(NameSuggestions.suggestions(for: "K_kaonID", in: columns).first == "D0_K_kaonID")
    #expect(NameSuggestions.suggestions(for: "D0_K_chrge", in: columns) == ["D0_K_charge"])
    #expect(NameSuggestions.closest(to: "d0_m", in: columns) == "D0_M")
    #expect(NameSuggestions.suggestions(for: "xyz", in: columns).isEmpty)
  }
}
