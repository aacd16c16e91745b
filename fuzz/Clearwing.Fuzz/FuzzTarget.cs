namespace Clearwing.Fuzz;

/// <summary>One input a target is seeded with (or a saved crash), named for the file it is written to.</summary>
public sealed record Seed(string Name, byte[] Bytes);

/// <summary>Where seeds come from: this checkout, and the shared test corpora beside it.</summary>
public sealed record SeedSources(string Repository, string TestData)
{
    /// <summary>
    /// The checkout holding Clearwing.slnx above <paramref name="start"/>, and shared/testdata in or beside one of the folders
    /// on the way up (a copy of shared/ lies beside the checkout, on a developer's machine and in CI alike).
    /// </summary>
    public static SeedSources Find(string start)
    {
        string? repository = null, testData = null;
        for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
        {
            if (repository is null && File.Exists(Path.Combine(dir.FullName, "Clearwing.slnx"))) repository = dir.FullName;
            testData ??= new[] { Path.Combine(dir.FullName, "shared", "testdata"), Path.Combine(dir.FullName, "..", "shared", "testdata") }
                .FirstOrDefault(Directory.Exists);
        }
        return new SeedSources(
            repository ?? throw new DirectoryNotFoundException($"No Clearwing.slnx in {start} or above it."),
            Path.GetFullPath(testData ?? throw new DirectoryNotFoundException($"No shared/testdata in or beside {start} or a folder above it.")));
    }

    /// <summary>The files under a folder of the checkout (<c>repo/…</c>) or of the corpora (<c>testdata/…</c>) whose names match.</summary>
    public IEnumerable<string> Files(string folder, params string[] patterns)
    {
        var root = folder.StartsWith("repo/", StringComparison.Ordinal)
            ? Path.Combine(Repository, folder["repo/".Length..])
            : Path.Combine(TestData, folder["testdata/".Length..]);
        // A corpus that is gone must not shrink a target's seeds unnoticed: the replay test counts them, afl refuses an empty folder.
        if (!Directory.Exists(root)) throw new DirectoryNotFoundException($"Seed folder {root} is missing.");
        return patterns.SelectMany(p => Directory.EnumerateFiles(root, p, SearchOption.AllDirectories)).Distinct().Order(StringComparer.Ordinal);
    }

    /// <summary>Each file whole, named by its path below the checkout or the corpora.</summary>
    public IEnumerable<Seed> Whole(IEnumerable<string> files) =>
        files.Select(f => new Seed(Relative(f), File.ReadAllBytes(f)));

    string Relative(string file) => file.StartsWith(TestData, StringComparison.Ordinal)
        ? "testdata/" + Path.GetRelativePath(TestData, file)
        : Path.GetRelativePath(Repository, file);
}

/// <summary>
/// A parser that takes outside input, as afl++ drives it: <see cref="Parse"/> reads one input the way Clearwing reads it from
/// a user, <see cref="IsDocumented"/> says which refusals are the parser's documented answer to bad input (anything else it
/// throws is a finding), and <see cref="Seeds"/> are the real inputs it starts from. docs/fuzzing.md lists each target's oracle.
/// </summary>
public sealed record FuzzTarget(
    string Name, string Documented, Action<byte[]> Parse, Func<Exception, bool> IsDocumented, Func<SeedSources, IEnumerable<Seed>> Seeds)
{
    /// <summary>The oracle: null when <paramref name="input"/> is parsed or refused as documented, else what was thrown.</summary>
    public Exception? Check(byte[] input)
    {
        try
        {
            Parse(input);
            return null;
        }
        catch (Exception e) when (IsDocumented(e))
        {
            return null;
        }
        catch (Exception e)
        {
            return e;
        }
    }
}
