using System.IO.Hashing;
using System.Text;
using Clearwing.Storage;
using CsCheck;

namespace Clearwing.Tests.Storage;

/// <summary>The matching passes on their own (docs/fingerprints.md, "Matching"); the importer's tests run them on real logs.</summary>
public sealed class BaselineMatcherTests
{
    static MatchItem Row(long fingerprint, string rule, string path, int line, string message, string? function = null, string? snippet = null,
        string? toolFingerprints = null, bool isNew = true, string tool = "tool") =>
        new(fingerprint, 0, tool, rule, path, line, 1, function, BaselineMatcher.WordsOf(message), snippet, toolFingerprints,
            Content($"{path}:{line}:{message}"), isNew);

    static MatchItem Track(long fingerprint, long occurrence, string rule, string path, int line, string message, string? function = null,
        string? snippet = null, string? toolFingerprints = null, string tool = "tool") =>
        new(fingerprint, occurrence, tool, rule, path, line, 1, function, BaselineMatcher.WordsOf(message), snippet, toolFingerprints,
            Content($"{path}:{line}:{message}"));

    /// <summary>A content hash that differs where the content does.</summary>
    static UInt128 Content(string content) => XxHash128.HashToUInt128(Encoding.UTF8.GetBytes(content));

    static List<(int Row, int Track, int Pass)> Match(List<MatchItem> rows, List<MatchItem> tracks) =>
        [.. BaselineMatcher.Match(rows, tracks, _ => true).Select(m => (m.Row, m.Track, m.Pass)).OrderBy(m => m.Row)];

    [Fact]
    public void Copies_of_one_fingerprint_pair_by_nearest_location_not_by_order()
    {
        List<MatchItem> tracks = [Track(7, 1, "R", "a.c", 10, "m"), Track(7, 2, "R", "a.c", 50, "m"), Track(7, 3, "R", "a.c", 90, "m")];
        List<MatchItem> rows = [Row(7, "R", "a.c", 93, "m", isNew: false), Row(7, "R", "a.c", 12, "m", isNew: false),
            Row(7, "R", "a.c", 51, "m", isNew: false), Row(7, "R", "a.c", 200, "m", isNew: false)];

        Assert.Equal([(0, 2, 1), (1, 0, 1), (2, 1, 1)], Match(rows, tracks));
    }

    [Fact]
    public void A_reworded_message_matches_by_function_and_else_by_line_and_words()
    {
        List<MatchItem> tracks =
        [
            Track(1, 1, "R", "a.c", 10, "Possible null reference", function: "png_read_row"),
            Track(2, 1, "R", "a.c", 40, "variable 'count' is assigned but never used"),
            Track(3, 1, "R", "a.c", 70, "something else entirely"),
            Track(4, 1, "R", "a.c", 100, "buffer too small for 'name'"),
        ];
        List<MatchItem> rows =
        [
            Row(11, "R", "a.c", 14, "Dereference of a possibly null reference", function: "png_read_row"),
            Row(12, "R", "a.c", 45, "'count' is assigned a value but never used"),
            Row(13, "R", "a.c", 70, "completely new words"),
            Row(14, "R", "a.c", 200, "buffer too small for 'name'"),
            Row(15, "OTHER", "a.c", 100, "buffer too small for 'name'"),
        ];

        // Pass 3 by function; pass 4 by shared words (5 lines away) and by the same line; 100 lines away is too far; another
        // rule never matches.
        Assert.Equal([(0, 0, 3), (1, 1, 4), (2, 2, 4)], Match(rows, tracks));
    }

    [Fact]
    public void The_tools_own_fingerprints_match_when_the_computed_ones_differ()
    {
        List<MatchItem> tracks = [Track(1, 1, "R", "a.c", 10, "old words", toolFingerprints: "f stable/v1=abc\np hash/v1=111")];
        List<MatchItem> rows = [Row(2, "R", "b.c", 300, "new words", toolFingerprints: "f stable/v1=abc")];

        Assert.Equal([(0, 0, 2)], Match(rows, tracks));
        // A partial fingerprint is only unique within its rule and file.
        Assert.Empty(Match([Row(2, "R", "b.c", 300, "new words", toolFingerprints: "p hash/v1=111")], tracks));
        Assert.Equal([(0, 0, 2)], Match([Row(2, "R", "a.c", 300, "new words", toolFingerprints: "p hash/v1=111")], tracks));
    }

    [Fact]
    public void A_moved_file_keeps_its_results_by_function_or_file_name_and_then_the_rest_of_it_by_place()
    {
        List<MatchItem> tracks =
        [
            Track(1, 1, "R", "src/old/png.c", 10, "overflow in 'len'", function: "png_read_row"),
            Track(2, 1, "R", "src/old/png.c", 80, "unchecked return value of 'fread'"),
            Track(3, 1, "R", "src/old/zlib.c", 5, "unchecked return value of 'fread'"),
        ];
        List<MatchItem> rows =
        [
            Row(11, "R", "lib/pngread.c", 12, "overflow in variable 'len'", function: "png_read_row"),
            Row(12, "R", "lib/pngread.c", 81, "unchecked return value of 'fread'"),
        ];

        // The function anchors the move of png.c to pngread.c; the second result follows it there, and zlib.c's stays.
        Assert.Equal([(0, 0, 5), (1, 1, 5)], Match(rows, tracks));
    }

    [Fact]
    public void Only_results_with_a_new_fingerprint_go_past_the_first_pass_and_only_to_tracks_the_import_may_take()
    {
        List<MatchItem> tracks = [Track(1, 1, "R", "a.c", 10, "words", function: "f")];

        Assert.Empty(Match([Row(2, "R", "a.c", 10, "words", function: "f", isNew: false)], tracks));
        Assert.Empty(BaselineMatcher.Match([Row(2, "R", "a.c", 10, "words", function: "f")], tracks, t => t.Tool != "tool"));
    }

    /// <summary>What a fingerprint stands for: its rule, file, function and words (a fingerprint is computed from them).</summary>
    static (string Rule, string Path, string? Function, string Message) Identity(long fingerprint) =>
        ($"R{fingerprint % 3}", $"f{fingerprint % 2}.c", fingerprint % 4 == 0 ? null : $"fn{fingerprint % 4}", $"word{fingerprint % 5} message");

    static MatchItem Tracked(long fingerprint, long occurrence, int line)
    {
        var (rule, path, function, message) = Identity(fingerprint);
        return Track(fingerprint, occurrence, rule, path, line, message, function);
    }

    [Fact]
    public void A_shuffled_import_matches_exactly_as_the_original_and_nothing_is_matched_twice()
    {
        // Tracked results of fingerprints 1–6; results of those and of new ones (7–12), some in the same places, many copies.
        Gen.Select(Gen.Select(Gen.Int[1, 6], Gen.Int[1, 60]).Array[1, 30], Gen.Select(Gen.Int[1, 12], Gen.Int[1, 60]).Array[1, 30], Gen.Int)
            .Sample((trackSpec, rowSpec, seed) =>
            {
                var tracks = trackSpec.Select((t, i) => Tracked(t.Item1, i + 1, t.Item2)).ToList();
                var rows = rowSpec.Select(r =>
                {
                    var (rule, path, function, message) = Identity(r.Item1);
                    return Row(r.Item1, rule, path, r.Item2, message, function, isNew: r.Item1 > 6);
                }).ToList();
                var random = new Random(seed);
                var shuffledRows = rows.OrderBy(_ => random.Next()).ToList();
                var shuffledTracks = tracks.OrderBy(_ => random.Next()).ToList();

                var original = BaselineMatcher.Match(rows, tracks, _ => true);
                var shuffled = BaselineMatcher.Match(shuffledRows, shuffledTracks, _ => true);

                Assert.Equal(original.Count, original.Select(m => m.Row).Distinct().Count());
                Assert.Equal(original.Count, original.Select(m => m.Track).Distinct().Count());
                // Same outcome for every result, up to results that are indistinguishable.
                static string Key(MatchItem r, MatchItem t, int pass) =>
                    $"{r.ContentHash}|{r.FingerprintId} -> {t.FingerprintId}/{t.Occurrence} @{pass}";
                Assert.Equal(
                    original.Select(m => Key(rows[m.Row], tracks[m.Track], m.Pass)).Order(StringComparer.Ordinal),
                    shuffled.Select(m => Key(shuffledRows[m.Row], shuffledTracks[m.Track], m.Pass)).Order(StringComparer.Ordinal));
            }, iter: 10_000);
    }
}
