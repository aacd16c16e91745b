using Clearwing.Scoring;
using CsCheck;

namespace Clearwing.Tests.Scoring;

public sealed class CvssPropertyTests
{
    static readonly CvssGrammar[] Grammars = [CvssGrammars.V2, CvssGrammars.V30, CvssGrammars.V31, CvssGrammars.V40];

    /// <summary>A valid vector in the specification's order: every mandatory metric, each optional one present or not.</summary>
    static Gen<string> Valid(CvssGrammar g) => Gen.Int[0, 1_000_000].Array[g.Metrics.Length].Select(picks =>
        g.Prefix + string.Join('/', g.Metrics.Select((m, i) => (m, k: picks[i] % (m.Values.Length + (m.Mandatory ? 0 : 1))))
            .Where(x => x.k < x.m.Values.Length)
            .Select(x => $"{x.m.Name}:{x.m.Values[x.k]}")));

    static Gen<T> Pick<T>(params T[] items) => Gen.Int[0, items.Length - 1].Select(i => items[i]);

    static readonly Gen<string> AnyValid = Gen.OneOf(Grammars.Select(Valid).ToArray());

    [Fact]
    public void Printing_a_parsed_vector_gives_the_same_vector() =>
        AnyValid.Sample(v => Assert.Equal(v, CvssVector.Parse(v).ToString()), iter: 20_000);

    [Fact]
    public void Every_valid_vector_scores_between_0_and_10_with_one_decimal() =>
        // 2.0's environmental equation is unbounded below (CR:L halves the impact, and 0.6 × impact + 0.4 × exploitability
        // − 1.5 goes negative); the specification does not clamp it, so only 3.x and 4.0 are held to the range.
        AnyValid.Sample(v =>
        {
            var result = CvssCalculator.Score(v);
            var score = result.Score;
            if (result.Vector.Version != CvssVersion.V2_0) Assert.InRange(score, 0m, 10m);
            Assert.Equal(score, Math.Round(score, 1));
        }, iter: 20_000);

    [Fact]
    public void Raising_an_impact_metric_never_lowers_a_3x_base_score()
    {
        // Impact values are listed H, L, N: a lower index is a higher impact.
        var gen = Gen.Select(Pick(CvssGrammars.V30, CvssGrammars.V31).SelectMany(Valid), Pick("C", "I", "A"));
        gen.Sample((vector, metric) =>
        {
            var v = CvssVector.Parse(vector);
            var before = CvssCalculator.Score(v).BaseScore;
            var raised = v[metric] switch { "N" => "L", _ => "H" };
            var after = CvssCalculator.Score(vector.Replace($"/{metric}:{v[metric]}", $"/{metric}:{raised}")).BaseScore;
            Assert.True(after >= before, $"{vector}: {metric}:{raised} gives {after} < {before}");
        }, iter: 20_000);
    }

    [Fact]
    public void Random_strings_are_either_vectors_or_rejected_with_the_parsers_own_exception()
    {
        var alphabet = Gen.Char["ACDEHILMNOPRSTUVXYZacu0134.:/()- "];
        var noise = Gen.String[alphabet, 0, 80];
        var prefixed = Gen.Select(Pick("", "CVSS:2.0/", "CVSS:3.0/", "CVSS:3.1/", "CVSS:4.0/", "CVSS:"), noise, (p, s) => p + s);
        // Valid vectors with one character changed, dropped or doubled reach the deeper parts of the parser.
        var mutated = Gen.Select(AnyValid, Gen.Int[0, 200], Gen.Int[0, 2], alphabet, (v, at, op, c) =>
        {
            var i = at % v.Length;
            return op switch { 0 => v.Remove(i, 1).Insert(i, c.ToString()), 1 => v.Remove(i, 1), _ => v.Insert(i, c.ToString()) };
        });
        foreach (var gen in new[] { Gen.String, prefixed, mutated })
            gen.Sample(s =>
            {
                try
                {
                    CvssCalculator.Score(s);
                }
                catch (CvssFormatException)
                {
                }
            }, iter: 20_000);
    }
}
