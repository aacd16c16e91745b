using Clearwing.Findings;
using Clearwing.Packages;
using CsCheck;

namespace Clearwing.Tests.Packages.Lockfiles;

/// <summary>Whatever the text, a reader answers with packages or a <see cref="MalformedInputException"/>, never anything else.</summary>
public sealed class LockfilePropertyTests
{
    static readonly (LockfileFormat Format, string Fixture)[] Samples =
    [
        (LockfileFormat.NuGet, "nuget/packages.lock.json"),
        (LockfileFormat.Npm, "npm-v2/package-lock.json"),
        (LockfileFormat.Npm, "npm-v3/package-lock.json"),
        (LockfileFormat.Yarn, "yarn-v1/yarn.lock"),
        (LockfileFormat.Yarn, "yarn-berry/yarn.lock"),
        (LockfileFormat.Pnpm, "pnpm-v6/pnpm-lock.yaml"),
        (LockfileFormat.Pnpm, "pnpm-v9/pnpm-lock.yaml"),
        (LockfileFormat.Poetry, "poetry/poetry.lock"),
        (LockfileFormat.Requirements, "requirements/requirements.txt"),
        (LockfileFormat.Cargo, "cargo/Cargo.lock"),
        (LockfileFormat.GoSum, "go/go.sum"),
        (LockfileFormat.Gemfile, "gemfile/Gemfile.lock"),
        (LockfileFormat.Composer, "composer/composer.lock"),
    ];

    /// <summary>The characters every format gives meaning to, and some it does not (white space that is not a space, NUL, a lone surrogate).</summary>
    static readonly Gen<string> Noise = Gen.String[Gen.Char["{}[]\":,'\n\r\t #-@=/.()\\!&*|>_+~^1a\u00e9\ud83d\v\f\u00a0\0"], 0, 24];

    static readonly Gen<string> RandomText = Gen.OneOf(Noise, Gen.String[Gen.Char, 0, 200]);

    static void ReadsOrRejects(LockfileFormat format, string text)
    {
        try
        {
            LockfileScanner.ReadText(format, text, "fuzzed");
        }
        catch (MalformedInputException e)
        {
            Assert.Equal("fuzzed", e.File);
        }
    }

    [Fact]
    public void Random_text_is_read_or_rejected_as_malformed_by_every_reader()
    {
        Gen.Select(Gen.Int[0, Samples.Length - 1], RandomText).Sample((i, text) => ReadsOrRejects(Samples[i].Format, text), iter: 10_000);
    }

    [Fact]
    public void A_damaged_real_lockfile_is_read_or_rejected_as_malformed()
    {
        var texts = Samples.Select(s => File.ReadAllText(Fixture.PathTo(s.Fixture))).ToArray();
        Gen.Select(Gen.Int[0, Samples.Length - 1], Gen.Double[0, 1], Gen.Int[0, 3], Noise)
            .Sample((i, where, edit, noise) =>
            {
                var text = texts[i];
                var at = (int)(where * text.Length);
                var damaged = edit switch
                {
                    0 => text[..at],
                    1 => text[..at] + noise + text[at..],
                    2 => text[..at] + text[Math.Min(text.Length, at + noise.Length + 1)..],
                    _ => text[..at] + noise + text[Math.Min(text.Length, at + noise.Length)..],
                };
                ReadsOrRejects(Samples[i].Format, damaged);
            }, iter: 10_000);
    }
}
