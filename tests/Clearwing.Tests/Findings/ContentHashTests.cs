using System.IO.Hashing;
using System.Text;
using Clearwing.Findings;
using CsCheck;

namespace Clearwing.Tests.Findings;

/// <summary>The content hash tells "updated" from "unchanged" against hashes stored by earlier imports: it must stay the hash of
/// the same bytes, however it is computed.</summary>
public sealed class ContentHashTests
{
    // Any text, lone surrogates and the separator itself included: each must encode as it did inside the joined string.
    static readonly Gen<string?> Text = Gen.OneOf(Gen.Const((string?)null), Gen.String[Gen.Char, 0, 300].Select(s => (string?)s),
        Gen.String[Gen.Char["ab\u001f\ud800\udc00é€ "], 0, 20].Select(s => (string?)s));
    static readonly Gen<int?> Number = Gen.OneOf(Gen.Const((int?)null), Gen.Int.Select(i => (int?)i), Gen.Int[1, 100_000].Select(i => (int?)i));

    [Fact]
    public void The_content_hash_is_the_hash_earlier_versions_stored()
    {
        Gen.Select(Gen.Select(Text, Text, Text), Gen.Select(Number, Number, Number), Gen.Enum<FindingLevel>(), Gen.Bool, Gen.Bool)
            .Sample((texts, numbers, level, suppressed, implied) =>
            {
                var r = new ObservedResult
                {
                    Tool = "t", RuleId = "r", Fingerprint = "f", Message = texts.Item1 ?? "", Path = texts.Item2, Snippet = texts.Item3,
                    StartLine = numbers.Item1, StartColumn = numbers.Item2, EndLine = numbers.Item3, EndLineImplied = implied, Level = level,
                    Suppressed = suppressed,
                };
                // The formula of the stored hashes (issue 13's first release).
                var joined = string.Join('\u001f', (int)r.Level, r.Message, r.Path, r.StartLine, r.StartColumn, r.EndLineImplied ? null : r.EndLine,
                    r.Snippet, r.Suppressed);
                var stored = Convert.ToHexStringLower(XxHash128.Hash(Encoding.UTF8.GetBytes(joined)));
                Assert.Equal(stored, Importer.HashContent(r));
            }, iter: 20_000);
    }
}
